package exchange

import (
	"bytes"
	"errors"
	"testing"

	"github.com/xuri/excelize/v2"
)

// score is a Formatted value: one decimal, seven characters wide.
type score float64

func (s score) XLSXCell() (any, string, int) { return float64(s), "0.0", 7 }

// TestWorkbook: sheets in order, a merged title above a frozen header,
// formatted and shaded cells, and a failing sheet returns its error.
func TestWorkbook(t *testing.T) {
	b := NewWorkbook()
	defer b.Close()
	rows := [][]any{{"甲", score(9.25)}, {"乙", score(7)}}
	i := 0
	err := b.Sheet("通报", "2026年3月考核通报", []string{"姓名", "得分"}, func() ([]any, bool, error) {
		if i == len(rows) {
			return nil, false, nil
		}
		i++
		return rows[i-1], i == 2, nil // the second row shaded
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Sheet("预警", "", []string{"依据"}, func() ([]any, bool, error) { return nil, false, nil }); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "通报" || got[1] != "预警" {
		t.Fatalf("sheets %v", got)
	}
	if panes, err := f.GetPanes("通报"); err != nil || !panes.Freeze || panes.YSplit != 2 {
		t.Errorf("panes %+v, %v; want the title and header frozen", panes, err)
	}
	if merged, err := f.GetMergeCells("通报"); err != nil || len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "B1" {
		t.Errorf("merged %v, %v; want the title over A1:B1", merged, err)
	}
	for cell, want := range map[string]string{"A1": "2026年3月考核通报", "A2": "姓名", "A3": "甲", "B3": "9.3", "B4": "7.0"} {
		if got, err := f.GetCellValue("通报", cell); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", cell, got, err, want)
		}
	}
	style := func(cell string) *excelize.Style {
		id, err := f.GetCellStyle("通报", cell)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := style("B3"); s.CustomNumFmt == nil || *s.CustomNumFmt != "0.0" || len(s.Fill.Color) != 0 {
		t.Errorf("B3 style %+v: want 0.0, not shaded", s)
	}
	if s := style("A4"); len(s.Fill.Color) != 1 || s.Fill.Color[0] != "F4D6D6" {
		t.Errorf("A4 style fill %+v: want the shade", s.Fill)
	}

	boom := errors.New("boom")
	b2 := NewWorkbook()
	defer b2.Close()
	if err := b2.Sheet("x", "", []string{"a"}, func() ([]any, bool, error) { return nil, false, boom }); !errors.Is(err, boom) {
		t.Errorf("a failing sheet: err %v, want boom", err)
	}
}
