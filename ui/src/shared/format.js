// Display helpers: times in Asia/Shanghai (the centre's clock, whatever the
// browser's), points with the sign and one or two decimals the schemes use.
const dtf = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
})

export function fmtTime(s) {
  if (!s) return ''
  const d = new Date(s)
  return isNaN(d) ? s : dtf.format(d)
}

export function fmtPoints(p) {
  if (p === undefined || p === null) return ''
  const v = Math.round(p * 100) / 100
  return (v > 0 ? '+' : '') + v
}

export function fmtScore(p) {
  if (p === undefined || p === null) return ''
  return String(Math.round(p * 100) / 100)
}

// shanghaiToday is today's date (YYYY-MM-DD) in Asia/Shanghai, the day the
// server keeps work sheets, visits and patrols by, whatever the device's
// own time zone (a browser in UTC is still on yesterday after midnight
// in Shanghai).
export function shanghaiToday(at = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}
