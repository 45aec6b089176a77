// Package zaloevent signs and checks the events Zalo posts to an OA's
// webhooks — chat events (bot/zalo) and ZNS delivery receipts (bot/zns)
// alike — so that the two channel packages share it without importing
// each other.
package zaloevent

import (
	"crypto/sha256"
	"encoding/hex"
)

// SignatureHeader carries an event's signature: "mac=" + hex SHA-256 of
// app id + raw body + timestamp + OA secret key.
const SignatureHeader = "X-ZEvent-Signature"

// Signature is the signature header value of an event body.
func Signature(appID string, body []byte, timestamp, oaSecretKey string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(timestamp))
	h.Write([]byte(oaSecretKey))
	return "mac=" + hex.EncodeToString(h.Sum(nil))
}
