package bot

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// A channel's file is fetched only when the bot reads its kind and it
// fits; otherwise Problem says why, and Data stays nil.
func TestFileFetch(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name     string
		file     File
		download func(context.Context, string) ([]byte, error)
		problem  string
		data     string
		err      error
	}{
		{"a voter list", File{Name: "ds.xlsx"}, func(context.Context, string) ([]byte, error) { return []byte("xlsx"), nil }, "", "xlsx", nil},
		{"a photo is not fetched", File{Name: "anh.jpg"}, nil, FileOtherKind, "", nil},
		{"announced too large", File{Name: "ds.csv", Size: MaxFileSize + 1}, nil, FileTooLarge, "", nil},
		{"read too large", File{Name: "ds.csv"}, func(context.Context, string) ([]byte, error) {
			return ReadAtMost(bytes.NewReader(make([]byte, MaxFileSize+1)), MaxFileSize)
		}, FileTooLarge, "", nil},
		{"download failed", File{Name: "ds.csv"}, func(context.Context, string) ([]byte, error) { return nil, boom }, FileNotFetched, "", boom},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.file
			download := c.download
			if download == nil {
				download = func(context.Context, string) ([]byte, error) {
					t.Fatal("downloaded")
					return nil, nil
				}
			}
			err := f.Fetch(context.Background(), download)
			if f.Problem != c.problem || string(f.Data) != c.data || !errors.Is(err, c.err) {
				t.Errorf("problem %q data %q err %v; want %q %q %v", f.Problem, f.Data, err, c.problem, c.data, c.err)
			}
		})
	}
}
