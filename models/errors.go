package models

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. Handlers map them to localised replies;
// the Message is for logs and operators, never shown to residents as is.
const (
	EINVALID     = "invalid"
	ENOTFOUND    = "not-found"
	EFORBIDDEN   = "forbidden"
	ECONFLICT    = "conflict"
	ERATELIMITED = "rate-limited"
	EINTERNAL    = "internal"
)

// Error is the one error type of the application.
type Error struct {
	Code    string
	Message string
	Err     error // wrapped cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and message to a lower-level cause.
func Wrap(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of an *Error, or err.Error().
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
