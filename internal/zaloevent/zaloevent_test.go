package zaloevent

import "testing"

// The signature Zalo documents for OA events: "mac=" + hex SHA-256 of
// app id + body + timestamp + OA secret key; any byte changed changes it.
func TestSignature(t *testing.T) {
	// printf 'app{}1700000000key' | sha256sum
	const want = "mac=f62ed9c19ea3c29538bf3ac758babc9771159575eab09ffdb804e5d568a01f58"
	got := Signature("app", []byte("{}"), "1700000000", "key")
	if got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	for _, other := range []string{
		Signature("apq", []byte("{}"), "1700000000", "key"),
		Signature("app", []byte("{ }"), "1700000000", "key"),
		Signature("app", []byte("{}"), "1700000001", "key"),
		Signature("app", []byte("{}"), "1700000000", "kez"),
	} {
		if other == got {
			t.Errorf("a changed input gives the same signature %s", got)
		}
	}
}
