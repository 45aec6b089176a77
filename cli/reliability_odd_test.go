package cli

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// oddUpdates are malformed or unusual updates, each with its own
// update_id from next, for chats and users from 700000 up (so they never
// answer the valid updates' chats).
func oddUpdates(rng *rand.Rand, n int, next func() int) [][]byte {
	long := func(unit string, chars int) string { return strings.Repeat(unit, chars) }
	texts := []string{
		long("a", 4096), long("ệ", 4096), long("🗳", 4096), long("a", 4097), "/start " + long("x", 4090),
		"👍", "🗳️🇻🇳", "👨‍👩‍👧‍👦", "👋🏽👋🏿", "ngày\u200bbầu\u200c\u200dcử\ufeff", "\u2060\u200b", "\u202eủa ủb\u202c",
		"مرحبا متى الانتخابات", "שלום", "\u200fبỏ phiếu ở đâu", "'; DROP TABLE voters; --", "1' OR '1'='1",
		"Robert'); DROP TABLE contacts;--", "%' AND 1=1 --", "$$; SELECT pg_sleep(10); $$", `\x00\n\r\t`,
		"\x00", "nguyen van an 99999", "nguyen van an -1961", "-99999999999999999999 1961", "/khupho -1",
		"/khupho 99999999999999999999", "/start kp99999999999999999999", "KQ KP1 TD -5 PR 1e9 TV 290 HL 9999999999999999999",
		"kết quả khu phố 1: tham dự 290, phát ra -290", "/lang " + long("e", 300), "/ngaybau@electionbot_test", "@electionbot_test",
		"<b>in đậm</b> <script>alert(1)</script>", "&amp; &lt; &#0;", "{{.Name}} %s %d %!", "\\u0000",
	}
	raw := func(f string, args ...any) []byte { return fmt.Appendf(nil, f, args...) }
	user := func() int64 { return 700000 + int64(rng.IntN(5000)) }
	msg := func(id int, u int64, text string) []byte {
		return []byte(textUpdate(id, u, text))
	}
	gens := []func() []byte{
		// Valid updates with odd text.
		func() []byte { id := next(); return msg(id, user(), texts[rng.IntN(len(texts))]) },
		// Unknown or ignored update types.
		func() []byte {
			return raw(`{"update_id":%d,"poll":{"id":"p","question":"?","options":[],"is_closed":false}}`, next())
		},
		func() []byte {
			return raw(`{"update_id":%d,"message_reaction":{"chat":{"id":%d,"type":"private"},"message_id":1,"date":1,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}`, next(), user())
		},
		func() []byte {
			return raw(`{"update_id":%d,"chat_join_request":{"chat":{"id":-100,"type":"supergroup"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"date":1}}`, next(), user())
		},
		func() []byte { return raw(`{"update_id":%d}`, next()) },
		func() []byte { return raw(`{"update_id":%d,"something_new":{"a":[1,2,{"b":null}]}}`, next()) },
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"edited_message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":"sửa"}}`, next(), u, u)
		},
		func() []byte {
			return raw(`{"update_id":%d,"channel_post":{"message_id":1,"date":1,"chat":{"id":-1001,"type":"channel"},"text":"kênh"}}`, next())
		},
		func() []byte {
			return raw(`{"update_id":%d,"inline_query":{"id":"q","from":{"id":%d,"is_bot":false,"first_name":"A"},"query":"x","offset":""}}`, next(), user())
		},
		// Messages missing parts, or from bots, channels, groups.
		func() []byte { return raw(`{"update_id":%d,"message":{"text":"hi"}}`, next()) },
		func() []byte {
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"text":"không có from"}}`, next(), user())
		},
		func() []byte {
			return raw(`{"update_id":%d,"message":{"message_id":1,"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":"không có chat"}}`, next(), user())
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":true,"first_name":"Bot"},"text":"/start"}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":-5,"date":-1,"chat":{"id":-%d,"type":"group","title":"G"},"from":{"id":%d,"is_bot":false,"first_name":""},"text":"/start@electionbot_test kp1"}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":null,"photo":[],"entities":[{"type":"bold","offset":9999,"length":-3}]}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"contact":{"phone_number":"+84 9'; DROP","first_name":"X","user_id":%d}}}`, next(), u, u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"location":{"latitude":999,"longitude":-999}}}`, next(), u, u)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"photo":[{"file_id":"","file_unique_id":"","width":-1,"height":0}],"caption":"%s"}}`, next(), u, u, long("ả", 1100))
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"callback_query":{"id":"","from":{"id":%d,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"%s"}}`, next(), u, long("z", 200))
		},
		func() []byte { return raw(`{"update_id":%d,"callback_query":{"id":"cb"}}`, next()) },
		func() []byte {
			return raw(`{"update_id":%d,"my_chat_member":{"chat":{"id":%d,"type":"private"},"from":{"id":1,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"member"},"new_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"weird"}}}`, next(), user())
		},
		// Numbers out of range, wrong types: refused with 400.
		func() []byte { return raw(`{"update_id":-%d,"message":{"text":"x"}}`, next()) },
		func() []byte { next(); return raw(`{"update_id":0}`) },
		func() []byte { next(); return raw(`{"update_id":1e400}`) },
		func() []byte { next(); return raw(`{"update_id":9223372036854775808}`) },
		func() []byte {
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":99999999999999999999,"type":"private"},"from":{"id":1,"is_bot":false,"first_name":"A"},"text":"x"}}`, next())
		},
		func() []byte { return raw(`{"update_id":%d,"message":{"message_id":"one","text":5}}`, next()) },
		func() []byte { return raw(`{"update_id":"%d"}`, next()) },
		// Not JSON objects, broken JSON, invalid UTF-8 and escapes.
		func() []byte { next(); return []byte(`[]`) },
		func() []byte { next(); return []byte(`null`) },
		func() []byte { next(); return []byte(`{"update_id":`) },
		func() []byte { next(); return []byte(strings.Repeat("[", 5000)) },
		func() []byte {
			u := user()
			return append(raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"\xff\xfe"},"text":"ng\xe0y b\xc3`, next(), u, u), []byte(`\xff"}}`)...)
		},
		func() []byte {
			u := user()
			return raw(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"A"},"text":"\ud800 \udfff \u0000 x"}}`, next(), u, u)
		},
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = gens[rng.IntN(len(gens))]()
	}
	return out
}
