package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrFileTooLarge is what a channel's download answers for a file over
// MaxFileSize.
var ErrFileTooLarge = fmt.Errorf("file larger than %d bytes", MaxFileSize)

// Fetch fills f.Data with what download reads of f.Ref, or says in
// f.Problem why not: only the kinds the bot reads, within MaxFileSize
// (as announced and as read). The error, for the channel's log, is the
// download's when it failed otherwise.
func (f *File) Fetch(ctx context.Context, download func(ctx context.Context, ref string) ([]byte, error)) error {
	switch {
	case !Fetchable(f.Name):
		f.Problem = FileOtherKind
		return nil
	case f.Size > MaxFileSize:
		f.Problem = FileTooLarge
		return nil
	}
	data, err := download(ctx, f.Ref)
	switch {
	case errors.Is(err, ErrFileTooLarge):
		f.Problem = FileTooLarge
		return nil
	case err != nil:
		f.Problem = FileNotFetched
		return err
	}
	f.Data = data
	return nil
}

// ReadAtMost reads r to its end, failing with ErrFileTooLarge beyond max
// bytes.
func ReadAtMost(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, ErrFileTooLarge
	}
	return data, nil
}
