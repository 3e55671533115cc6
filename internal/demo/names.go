package demo

import (
	"fmt"
	"math/rand/v2"
)

// The demo district. One district, one street of it: the district polygon is
// only a plausible frame around the street.
const (
	districtName = "示范区"
	districtCode = "110105" // a 6-digit county-level code (GB/T 2260 form)
	streetCode   = districtCode + "004"
)

// streetStems are the names a demo street is drawn from (+ "街道").
var streetStems = []string{"和平", "新华", "长安", "文化", "东城", "西湖"}

// communityStems are the names communities are drawn from (+ "社区"). They
// are all distinct from streetStems.
var communityStems = []string{
	"光明", "建设", "幸福", "团结", "胜利", "红旗", "友谊", "育才",
	"花园", "青年", "振兴", "春晖", "怡和", "锦绣", "丰收", "民主",
	"新风", "康乐", "安居", "富强", "兴华", "裕民", "翠园", "龙泉",
	"滨河", "南苑", "北苑", "东湖", "桃园", "金桥",
}

// surnames are common Chinese surnames, roughly from most to least frequent;
// pickSurname leans towards the front of the list.
var surnames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
	"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈",
	"姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟",
	"熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
	"龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
}

// givenFirst and givenSecond make two-character given names; givenSingle
// one-character ones.
var givenFirst = []string{
	"建", "国", "志", "秀", "晓", "海", "春", "玉", "文", "明",
	"丽", "永", "红", "小", "金", "德", "立", "振", "淑", "桂",
	"雪", "子", "思", "佳", "欣", "宇", "俊", "嘉", "雅", "浩",
}

var givenSecond = []string{
	"华", "军", "平", "英", "伟", "芳", "强", "梅", "东", "霞",
	"兰", "辉", "峰", "敏", "燕", "林", "杰", "涛", "琴", "萍",
	"勇", "红", "艳", "波", "宁", "晨", "轩", "涵", "怡", "婷",
}

var givenSingle = []string{
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
	"勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚",
	"鹏", "辉", "玲", "斌", "琳", "凯", "颖", "鑫", "倩", "健",
}

// phonePrefixes are mobile prefixes of the three operators (13x/15x/18x).
var phonePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159",
	"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
}

// people hands out person names and phone numbers that are unique within one
// town. The sets only answer "seen before?"; nothing is ever read out of them
// in map order.
type people struct {
	r      *rand.Rand
	names  map[string]bool
	phones map[string]bool
}

func newPeople(r *rand.Rand) *people {
	return &people{r: r, names: map[string]bool{}, phones: map[string]bool{}}
}

// name returns a realistic full name not handed out before.
func (p *people) name() string {
	for {
		// The smaller of two draws favours the common surnames.
		s := surnames[min(p.r.IntN(len(surnames)), p.r.IntN(len(surnames)))]
		var g string
		if p.r.IntN(4) == 0 {
			g = givenSingle[p.r.IntN(len(givenSingle))]
		} else {
			g = givenFirst[p.r.IntN(len(givenFirst))] + givenSecond[p.r.IntN(len(givenSecond))]
		}
		if n := s + g; !p.names[n] {
			p.names[n] = true
			return n
		}
	}
}

// phone returns an 11-digit mobile number not handed out before.
func (p *people) phone() string {
	for {
		n := phonePrefixes[p.r.IntN(len(phonePrefixes))] + fmt.Sprintf("%08d", p.r.IntN(100_000_000))
		if !p.phones[n] {
			p.phones[n] = true
			return n
		}
	}
}
