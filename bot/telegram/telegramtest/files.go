package telegramtest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Files a user sends: AddFile stores a file's content under a new
// file_id (for a test's document update); getFile answers its
// file_path, and GET /file/bot<token>/<file_path> serves it, as the Bot
// API does.

// AddFile keeps data as a file the bot may fetch and returns its file_id.
func (s *Server) AddFile(data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	id := fmt.Sprintf("doc-%d", len(s.files)+1)
	s.files[id] = append([]byte(nil), data...)
	return id
}

// DocumentUpdate is a private message from user (also the chat) with a
// document: the file of fileID named name, of size bytes.
func DocumentUpdate(updateID int, user int64, name, fileID string, size int) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1700000000,`+
		`"from":{"id":%d,"is_bot":false,"first_name":"Cán bộ","language_code":"vi"},`+
		`"chat":{"id":%d,"type":"private"},`+
		`"document":{"file_id":%q,"file_unique_id":%q,"file_name":%q,"mime_type":"application/octet-stream","file_size":%d}}}`,
		updateID, updateID, user, user, fileID, fileID+"-u", name, size)
}

func (s *Server) getFile(c Call) (Reply, bool) {
	id := c.Get("file_id")
	s.mu.Lock()
	data, found := s.files[id]
	s.mu.Unlock()
	if !found {
		return apiError(400, 400, "Bad Request: invalid file_id", ""), false
	}
	return ok(map[string]any{"file_id": id, "file_unique_id": id + "-u", "file_size": len(data),
		"file_path": "documents/" + id}), true
}

var filePathRE = regexp.MustCompile(`^/file/bot([^/]+)/(.+)$`)

// serveFile answers a file download; false for other paths.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) bool {
	m := filePathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		return false
	}
	s.mu.Lock()
	data, found := s.files[strings.TrimPrefix(m[2], "documents/")]
	s.mu.Unlock()
	if m[1] != Token || !found {
		http.NotFound(w, r)
		return true
	}
	w.Write(data)
	return true
}
