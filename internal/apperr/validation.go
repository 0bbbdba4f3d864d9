package apperr

// Fields collects field-level validation errors; Err returns nil when there are none.
//
//	var v apperr.Fields
//	if title == "" { v.Add("title", "is required") }
//	if err := v.Err(); err != nil { return err }
type Fields []FieldError

// Add records a problem with field.
func (f *Fields) Add(field, message string) { *f = append(*f, FieldError{field, message}) }

// Err returns an Invalid error listing every field, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "some fields are not valid", Fields: f}
}
