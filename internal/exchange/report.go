package exchange

import "encoding/json"

// RowError is one rejected value of an import, located as the user sees it.
type RowError struct {
	Row    int    `json:"row"`    // row number as in Row.Number
	Column string `json:"column"` // column label ("C", or "3" for CSV); "" when the field has no column
	Field  string `json:"field"`  // field name
	Reason string `json:"reason"` // why the value was rejected
}

// Report is the outcome of importing one file.
type Report struct {
	File    string     `json:"file"`
	Rows    int        `json:"rows"`    // non-empty data rows read
	Stored  int        `json:"stored"`  // rows written
	Skipped int        `json:"skipped"` // rows not written
	Errors  []RowError `json:"errors"`  // written as [] when empty
}

// Reject records that field of row was rejected for reason, with the
// column taken from the row's mapping. It only appends to Errors: the
// caller counts Rows, Stored and Skipped (a row may have several errors).
func (r *Report) Reject(row Row, field, reason string) {
	r.Errors = append(r.Errors, RowError{Row: row.Number, Column: row.Column(field), Field: field, Reason: reason})
}

// MarshalJSON writes the report, with "errors": [] rather than null when
// there are none. It returns no error of its own.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	if r.Errors == nil {
		r.Errors = []RowError{}
	}
	return json.Marshal(plain(r))
}
