package zalotest

import (
	"fmt"
	"net/http"
	"time"
)

// Files a user sends to the OA: Zalo's user_send_file event carries the
// file's URL on Zalo's storage; the fake serves the files AddFile keeps.

const filesPath = "/files/"

// AddFile keeps data as a file a user sent and returns its URL.
func (s *Server) AddFile(data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	path := fmt.Sprintf("%s%d", filesPath, len(s.files)+1)
	s.files[path] = append([]byte(nil), data...)
	return s.URL + path
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.files[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

// FileEvent is a user_send_file event: the file at url, named name, of
// size bytes (as Zalo sends it, a string).
func FileEvent(user, msgID, url, name string, size int, at time.Time) []byte {
	return event("user_send_file", at, userMessage(user, msgID, "", []any{
		map[string]any{"type": "file", "payload": map[string]any{
			"url": url, "name": name, "size": fmt.Sprint(size), "type": "xlsx", "checksum": "x"}},
	}))
}
