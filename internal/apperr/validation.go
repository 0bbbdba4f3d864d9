package apperr

import (
	"errors"
	"slices"
	"strings"
)

// Fields collects field-level validation errors; Err returns nil when there are none.
//
//	var v apperr.Fields
//	if title == "" { v.Add("title", "is required") }
//	if err := v.Err(); err != nil { return err }
type Fields []FieldError

// Add records a problem with field.
func (f *Fields) Add(field, message string) { *f = append(*f, FieldError{field, message}) }

// OneOf records a problem with field unless value is one of allowed, naming them all.
func (f *Fields) OneOf(field, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		f.Add(field, "must be one of "+strings.Join(allowed, ", "))
	}
}

// Err returns an Invalid error listing every field, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "some fields are not valid", Fields: f}
}

// OnlyFields keeps err's field errors for the named fields (a field error for
// "lines[0].quantity" counts as "lines"): a patch's checks report only on what it sets.
// It answers nil when none is left, and err unchanged when it has no field errors.
func OnlyFields(err error, names ...string) error {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	var f Fields
	for _, fe := range e.Fields {
		for _, n := range names {
			if fe.Field == n || strings.HasPrefix(fe.Field, n+"[") || strings.HasPrefix(fe.Field, n+".") {
				f = append(f, fe)
				break
			}
		}
	}
	return f.Err()
}
