// Names for the ids the events, patrol and supervision APIs return: grids,
// communities, workers, accounts and event categories, each list read once
// per page load and shared by the screens that need it.
import { reactive } from 'vue'
import { get } from '../../../api.js'
import { session } from '../../session.js'

export const names = reactive({ grids: {}, units: {}, workers: {}, users: {}, categories: {} })
let loaded = {}
let loadedFor = null

// once runs load the first time key is asked for by the signed-in user
// (another account may see other lists); a failure (a list the account
// may not read) leaves the ids shown as they are.
function once(key, load) {
  const who = session.user && session.user.id
  if (who !== loadedFor) {
    loaded = {}
    loadedFor = who
    for (const k of Object.keys(names)) names[k] = {}
  }
  if (!loaded[key]) loaded[key] = load().catch(() => {})
  return loaded[key]
}

export const loadGrids = () =>
  once('grids', async () => {
    const page = await get('/api/grids?per_page=1000')
    for (const g of page.items) names.grids[g.id] = g.name
  })

export const loadUnits = () =>
  once('units', async () => {
    for (const level of ['street', 'community']) {
      const page = await get('/api/units?per_page=1000&level=' + level)
      for (const u of page.items) names.units[u.id] = u.name
    }
  })

export const loadWorkers = () =>
  once('workers', async () => {
    const page = await get('/api/workers?per_page=1000')
    for (const w of page.items) names.workers[w.id] = w
  })

// Accounts are listed to those who manage them (the centre); others see
// the worker behind a step where there is one.
export const loadUsers = () =>
  once('users', async () => {
    for (const u of await get('/api/users')) names.users[u.id] = u.display_name || u.username
  })

export const loadCategories = () =>
  once('categories', async () => {
    for (const c of await get('/api/event-categories')) names.categories[c.code] = c
  })

export const gridName = (id) => names.grids[id] || names.units[id] || id || ''
export const unitName = (id) => names.units[id] || names.grids[id] || id || ''
export const workerName = (id) => (names.workers[id] && names.workers[id].name) || id || ''
export const userName = (id) => names.users[id] || id || ''
export const categoryName = (code) => (names.categories[code] && names.categories[code].name) || code || ''
