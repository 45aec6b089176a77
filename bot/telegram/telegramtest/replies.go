package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Reply is an injected answer: an HTTP status and a body.
type Reply struct {
	Status int
	Body   string
}

func apiError(status, code int, description string, params string) Reply {
	body := fmt.Sprintf(`{"ok":false,"error_code":%d,"description":%q`, code, description)
	if params != "" {
		body += `,"parameters":` + params
	}
	return Reply{Status: status, Body: body + "}"}
}

// TooManyRequests is Telegram's flood-control answer.
func TooManyRequests(retryAfter int) Reply {
	return apiError(429, 429, fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		fmt.Sprintf(`{"retry_after":%d}`, retryAfter))
}

// Blocked is the answer for a user who blocked the bot.
func Blocked() Reply { return apiError(403, 403, "Forbidden: bot was blocked by the user", "") }

// Deactivated is the answer for a deleted account.
func Deactivated() Reply { return apiError(403, 403, "Forbidden: user is deactivated", "") }

// ChatNotFound is the answer for a chat that does not exist.
func ChatNotFound() Reply { return apiError(400, 400, "Bad Request: chat not found", "") }

// ServerError is a 500 from the Bot API.
func ServerError() Reply { return apiError(500, 500, "Internal Server Error", "") }

// BadGateway is what a proxy in front of the Bot API answers when it is
// down: not JSON.
func BadGateway() Reply { return Reply{Status: 502, Body: "<html><body>502 Bad Gateway</body></html>"} }

// ok is a successful answer with its result.
func ok(result any) Reply {
	raw, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	return Reply{Status: 200, Body: string(raw)}
}

func write(w http.ResponseWriter, r Reply) {
	if strings.HasPrefix(r.Body, "{") {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/html")
	}
	w.WriteHeader(r.Status)
	io.WriteString(w, r.Body)
}
