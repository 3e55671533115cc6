package exchange

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Format is the kind of a spreadsheet file.
type Format string

// The formats Open reads.
const (
	XLSX Format = "xlsx" // Office Open XML workbook (Excel 2007 and later)
	CSV  Format = "csv"  // comma-separated text, UTF-8 (with or without BOM) or GB18030
)

// Errors that DetectFormat and Open return (wrapped, test with errors.Is).
var (
	// ErrOldExcel means an old binary Excel workbook (.xls, or a
	// password-protected workbook, which has the same container).
	ErrOldExcel = errors.New("old binary Excel workbook (.xls) or password-protected workbook: open it in Excel and save it as .xlsx (Excel workbook) without a password")
	// ErrUnknownFormat means a file that is neither .xlsx nor .csv.
	ErrUnknownFormat = errors.New("unsupported file type: upload an Excel workbook (.xlsx) or a CSV file (.csv)")
	// ErrTooLarge means the input is larger than Limits.MaxBytes.
	ErrTooLarge = errors.New("file too large")
	// ErrTooManyRows means more data rows than Limits.MaxRows.
	ErrTooManyRows = errors.New("too many rows")
	// ErrNoHeader means no row near the top of the sheet has a known
	// column header.
	ErrNoHeader = errors.New("no header row found")
)

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts a Compound File Binary: .xls, .et (WPS) and
	// encrypted .xlsx files.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// DetectFormat tells the format of a file from its first bytes (head, at
// least 8 bytes when the file has them) and then from its name's extension.
// A zip container is XLSX whatever the name says. It returns an error
// wrapping ErrOldExcel for old binary Excel files (by magic bytes or a .xls
// or .et name), and one wrapping ErrUnknownFormat for anything else,
// including a file named .xlsx that is not a zip container.
func DetectFormat(name string, head []byte) (Format, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return XLSX, nil
	case bytes.HasPrefix(head, oleMagic):
		return "", fmt.Errorf("exchange: %s: %w", name, ErrOldExcel)
	}
	switch ext {
	case ".csv", ".txt":
		return CSV, nil
	case ".xls", ".et":
		// Many government platforms export HTML or tab-separated text
		// named .xls; Excel opens those too and can save them as .xlsx.
		return "", fmt.Errorf("exchange: %s: %w", name, ErrOldExcel)
	case ".xlsx", ".xlsm":
		return "", fmt.Errorf("exchange: %s is named %s but is not an Excel workbook (damaged, or renamed from another format): %w", name, ext, ErrUnknownFormat)
	}
	if ext == "" {
		return "", fmt.Errorf("exchange: %s has no file extension: %w", name, ErrUnknownFormat)
	}
	return "", fmt.Errorf("exchange: %s (%s): %w", name, ext, ErrUnknownFormat)
}
