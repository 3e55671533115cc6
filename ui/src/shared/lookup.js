// The one place the console turns ids the API returns into names: org units
// (streets, communities, 片区, grids), workers, accounts and event
// categories. Each list is read when a screen first asks for it, every page
// of it (the API gives at most 1,000 rows a page), and kept until the
// signed-in user changes: another account may see other lists, so
// resetLookup (called by the session on sign-in, sign-out and expiry) forgets
// them all.
//
// A screen calls the load function of each list it shows names from
// (loadUnits(), …) when it mounts and uses the name functions in its
// template; they are reactive, so the names appear when the lists arrive,
// and show the id meanwhile (or when the account may not read the list).
import { reactive } from 'vue'
import { get } from '../api.js'

// How many rows one request asks for: the API's maximum.
const perPage = 1000

// Each kind keeps its rows in the API's order and by id (by code for
// categories).
const lists = {
  // every org unit in scope, all levels, without polygons.
  units: { fetch: () => allPages('/api/units'), key: (u) => u.id },
  workers: { fetch: () => allPages('/api/workers'), key: (w) => w.id },
  // Accounts are listed to those who manage them (the centre) only.
  users: { fetch: () => get('/api/users'), key: (u) => u.id },
  categories: { fetch: () => get('/api/event-categories'), key: (c) => c.code },
}

const emptyRows = () => Object.fromEntries(Object.keys(lists).map((k) => [k, { list: [], byKey: {} }]))
const rows = reactive(emptyRows())

// generation grows at each reset: an answer that arrives for an earlier
// user is dropped.
let generation = 0
let loading = {}

// resetLookup forgets every list; the next screen reads them again.
export function resetLookup() {
  generation++
  loading = {}
  Object.assign(rows, emptyRows())
}

function load(kind) {
  if (!loading[kind]) {
    const mine = generation
    const { fetch, key } = lists[kind]
    loading[kind] = fetch().then(
      (items) => {
        if (mine !== generation) return
        rows[kind] = { list: items, byKey: Object.fromEntries(items.map((x) => [key(x), x])) }
      },
      (e) => {
        // A list the account may not read stays unread until the user
        // changes; any other failure (the network) is tried again by the
        // next screen that asks.
        if (mine === generation && e.status !== 403) delete loading[kind]
        throw e
      },
    )
  }
  return loading[kind]
}

// allPages reads a paged list to its end: the first page says how many
// there are, the others are asked for together.
async function allPages(path) {
  const first = await get(`${path}?per_page=${perPage}&page=1`)
  const pages = Math.ceil(first.total / first.per_page)
  const rest = []
  for (let p = 2; p <= pages; p++) rest.push(get(`${path}?per_page=${perPage}&page=${p}`))
  return [...first.items, ...(await Promise.all(rest)).flatMap((r) => r.items)]
}

// The load functions resolve when the list is in; they reject when it could
// not be read (the screens that only show names need not wait or catch:
// quiet() keeps a rejection from being reported as unhandled).
const quiet = (p) => {
  p.catch(() => {})
  return p
}
export const loadUnits = () => quiet(load('units'))
export const loadWorkers = () => quiet(load('workers'))
export const loadUsers = () => quiet(load('users'))
export const loadCategories = () => quiet(load('categories'))

// unitName names a unit of any level, a grid included; gridName is the
// same, for templates that speak of grids.
export const unitName = (id) => (rows.units.byKey[id] && rows.units.byKey[id].name) || id || ''
export const gridName = unitName
export const workerName = (id) => (rows.workers.byKey[id] && rows.workers.byKey[id].name) || id || ''
const userLabel = (id) => {
  const u = rows.users.byKey[id]
  return (u && (u.display_name || u.username)) || ''
}
export const userName = (id) => userLabel(id) || id || ''
export const categoryName = (code) => (rows.categories.byKey[code] && rows.categories.byKey[code].name) || code || ''

// knownUser reports whether the account id is in the list read (a step's
// author is named by the account where it can be, by the worker otherwise).
export const knownUser = (id) => !!userLabel(id)

// unitsOf lists the units of the levels given, level by level, each in the
// API's order (by code), as options of a select.
export const unitsOf = (...levels) => levels.flatMap((l) => rows.units.list.filter((u) => u.level === l))

// allWorkers lists every worker read (in post or not), in the API's order.
export const allWorkers = () => rows.workers.list
