package exchange

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gridwork/internal/dates"
)

// personMapping is the mapping most tests use.
var personMapping = Mapping{
	{Name: "name", Headers: []string{"姓名"}, Required: true},
	{Name: "id", Headers: []string{"身份证号", "公民身份号码", "证件号码"}, Required: true},
	{Name: "phone", Headers: []string{"联系电话", "手机号码"}},
	{Name: "birth", Headers: []string{"出生日期"}},
}

// xlsxOf builds a workbook whose first sheet holds rows, starting at A1; a
// nil row leaves that row empty.
func xlsxOf(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if r == nil {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", ref, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// idNumber returns a valid 18-character resident identity number.
func idNumber(region int, birth dates.Date, seq int) string {
	s := fmt.Sprintf("%06d%04d%02d%02d%03d", region, birth.Year(), int(birth.Month()), birth.Day(), seq%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return s + string("10X98765432"[sum%11])
}

// personHeader and personRow make the 12-column person sheet of the
// round-trip test and the benchmark.
var personHeader = []string{"序号", "姓名", "性别", "民族", "身份证号", "出生日期", "联系电话", "户籍地址", "现住址", "所属网格", "人员类别", "登记日期"}

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "欧阳"}
	givens   = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟"}
	kinds    = []string{"户籍人口", "流动人口", "境外人员", "留守人员", "重点青少年"}
)

func personRow(i int) []any {
	birth := dates.New(1940+i%70, time.Month(1+i%12), 1+i%28)
	return []any{
		i + 1,
		surnames[i%len(surnames)] + givens[(i/7)%len(givens)],
		[]string{"男", "女"}[i%2],
		"汉族",
		idNumber(330100+i%100, birth, i),
		birth,
		fmt.Sprintf("13%09d", i*7919%1_000_000_000),
		fmt.Sprintf("浙江省杭州市西湖区%s街道%d号", []string{"北山", "西溪", "灵隐", "翠苑"}[i%4], i%300+1),
		fmt.Sprintf("西湖区文三路%d弄%d幢%d单元%d室", i%90+1, i%30+1, i%4+1, 101+i%20),
		fmt.Sprintf("330106001%03d", i%120),
		kinds[i%len(kinds)],
		dates.New(2024, 1, 5).AddDays(i % 300),
	}
}

// rowsOf returns a next function over rows.
func rowsOf[T any](rows [][]T) func() ([]T, bool) {
	i := 0
	return func() ([]T, bool) {
		if i >= len(rows) {
			return nil, false
		}
		i++
		return rows[i-1], true
	}
}
