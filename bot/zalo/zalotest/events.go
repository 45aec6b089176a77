package zalotest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The webhook side: events as Zalo posts them, signed as Zalo signs them.
// The signature is computed here apart from package zalo's, so that the
// channel's tests check its verification against an independent one.

// Sign is the X-ZEvent-Signature of a body: "mac=" + hex SHA-256 of
// app id + body + timestamp + OA secret key.
func Sign(appID string, body []byte, timestamp, oaSecretKey string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(timestamp))
	h.Write([]byte(oaSecretKey))
	return "mac=" + hex.EncodeToString(h.Sum(nil))
}

// SignBody signs an event with the fake's app id and OA secret key and
// the body's own timestamp.
func SignBody(body []byte) string {
	var ev struct {
		Timestamp string `json:"timestamp"`
	}
	_ = json.Unmarshal(body, &ev)
	return Sign(AppID, body, ev.Timestamp, OASecretKey)
}

// Post sends a webhook event to url with a signature header (none when
// sig is "-"); it returns the HTTP status.
func Post(t testing.TB, url string, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "-" {
		req.Header.Set("X-ZEvent-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// MsString is a time as Zalo writes timestamps: milliseconds, a string.
func MsString(at time.Time) string { return strconv.FormatInt(at.UnixMilli(), 10) }

func event(name string, at time.Time, fields map[string]any) []byte {
	m := map[string]any{"app_id": AppID, "oa_id": OAID, "event_name": name, "timestamp": MsString(at), "user_id_by_app": "app-user"}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

func userMessage(user, msgID, text string, attachments []any) map[string]any {
	msg := map[string]any{"msg_id": msgID, "text": text}
	if attachments != nil {
		msg["attachments"] = attachments
	}
	return map[string]any{"sender": map[string]string{"id": user}, "recipient": map[string]string{"id": OAID}, "message": msg}
}

// TextEvent is a user_send_text event.
func TextEvent(user, msgID, text string, at time.Time) []byte {
	return event("user_send_text", at, userMessage(user, msgID, text, nil))
}

// ImageEvent is a user_send_image event with one image and a caption.
func ImageEvent(user, msgID, url, caption string, at time.Time) []byte {
	return event("user_send_image", at, userMessage(user, msgID, caption, []any{
		map[string]any{"type": "image", "payload": map[string]string{"thumbnail": url + "?thumb", "url": url}},
	}))
}

// LocationEvent is a user_send_location event (coordinates as strings,
// as Zalo sends them).
func LocationEvent(user, msgID string, lat, lon float64, at time.Time) []byte {
	return event("user_send_location", at, userMessage(user, msgID, "", []any{
		map[string]any{"type": "location", "payload": map[string]any{"coordinates": map[string]string{
			"latitude":  strconv.FormatFloat(lat, 'f', -1, 64),
			"longitude": strconv.FormatFloat(lon, 'f', -1, 64),
		}}},
	}))
}

// SubmitInfoEvent is a user_submit_info event (the answer to a
// request_user_info card).
func SubmitInfoEvent(user, name, phone string, at time.Time) []byte {
	return event("user_submit_info", at, map[string]any{
		"sender": map[string]string{"id": user}, "recipient": map[string]string{"id": OAID},
		"info": map[string]string{"name": name, "phone": phone, "address": "", "city": "", "district": "", "ward": ""},
	})
}

// FollowEvent is a follow event.
func FollowEvent(user string, at time.Time) []byte {
	return event("follow", at, map[string]any{"follower": map[string]string{"id": user}, "source": "testing"})
}

// UnfollowEvent is an unfollow event.
func UnfollowEvent(user string, at time.Time) []byte {
	return event("unfollow", at, map[string]any{"follower": map[string]string{"id": user}, "source": "testing"})
}
