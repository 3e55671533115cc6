package workcal

import "gridwork/internal/dates"

// Builtin returns the public holidays and swapped working days of 2025 and
// 2026 as the State Council announced them (国办发明电〔2024〕12号 and the
// notice of 4 November 2025 on 2026). Later years are added by the centre
// as data (Store.SetDay) when each year's notice comes out; a stored day
// overrides the built-in one.
func Builtin() []Override {
	var out []Override
	off := func(name, from, to string) {
		for d := dates.MustParse(from); !d.After(dates.MustParse(to)); d = d.AddDays(1) {
			out = append(out, Override{Date: d, Kind: Holiday, Name: name})
		}
	}
	on := func(name string, days ...string) {
		for _, s := range days {
			out = append(out, Override{Date: dates.MustParse(s), Kind: Workday, Name: name + "调休上班"})
		}
	}
	// 2025
	off("元旦", "2025-01-01", "2025-01-01")
	off("春节", "2025-01-28", "2025-02-04")
	on("春节", "2025-01-26", "2025-02-08")
	off("清明节", "2025-04-04", "2025-04-06")
	off("劳动节", "2025-05-01", "2025-05-05")
	on("劳动节", "2025-04-27")
	off("端午节", "2025-05-31", "2025-06-02")
	off("国庆节、中秋节", "2025-10-01", "2025-10-08")
	on("国庆节", "2025-09-28", "2025-10-11")
	// 2026
	off("元旦", "2026-01-01", "2026-01-03")
	on("元旦", "2026-01-04")
	off("春节", "2026-02-15", "2026-02-23")
	on("春节", "2026-02-14", "2026-02-28")
	off("清明节", "2026-04-04", "2026-04-06")
	off("劳动节", "2026-05-01", "2026-05-05")
	on("劳动节", "2026-05-09")
	off("端午节", "2026-06-19", "2026-06-21")
	off("中秋节", "2026-09-25", "2026-09-27")
	off("国庆节", "2026-10-01", "2026-10-07")
	on("国庆节", "2026-09-20", "2026-10-10")
	return out
}
