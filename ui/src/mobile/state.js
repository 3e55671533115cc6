// What every screen of the phone app shares: the signed-in worker, the
// network state, the worker's grids, houses and rentals (kept on the phone
// for offline use), the phone's last position and the outbox.
import { reactive } from 'vue'
import { get } from '../api.js'
import { flush, newID, queue, recall, remember, waiting } from './outbox.js'

export const state = reactive({
  user: null,
  online: navigator.onLine,
  // grids: [{id, name, geometry}] the worker is assigned to today; grid is
  // the primary one (where an event without GPS is placed).
  grids: [],
  grid: '',
  houses: [],
  rentals: [],
  // saved is true once the houses are kept on the phone.
  saved: false,
  // areaLoaded: the work area was read (or kept copies taken) this session.
  areaLoaded: false,
  position: null,
  items: [],
  sentTotal: 0,
  // pickHouse: a house chosen elsewhere (today's tasks) to visit.
  pickHouse: '',
})

export async function refresh() {
  state.items = await waiting()
}

export async function send() {
  if (!navigator.onLine) return
  state.sentTotal += await flush()
  await refresh()
}

// enqueue stores a record in the outbox under its client-made id and tries
// to send it at once; it returns true when it has left the phone.
export async function enqueue(item) {
  await queue({ created_at: new Date().toISOString(), ...item })
  await refresh()
  await send()
  return !state.items.some((x) => x.client_id === item.client_id)
}

export { newID }

export function locate() {
  if (!navigator.geolocation) return
  navigator.geolocation.getCurrentPosition((p) => {
    state.position = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }
  }, () => {}, { maximumAge: 60000, timeout: 10000 })
}

// where returns the position fields of a record, when the phone has one.
export function where() {
  if (!state.position) return {}
  return { lat: state.position.lat, lon: state.position.lon }
}

// loadWorkArea reads the worker's grids, their houses and rentals when
// online and keeps them for offline use; offline, the kept copies serve.
export async function loadWorkArea() {
  const me = state.user
  try {
    const cached = await recall('area:' + me.id)
    if (cached) Object.assign(state, cached)
    const houses = await recall('houses:' + me.id)
    if (houses) state.houses = houses
    locate()
    if (!navigator.onLine || !me.worker_id) return
    const w = await get('/api/workers/' + me.worker_id)
    const asg = w.assignments || []
    const own = asg.find((a) => a.kind === 'primary') || asg[0]
    const grids = []
    const allHouses = []
    const rentals = []
    for (const a of asg) {
      const g = await get('/api/grids/' + a.grid_id)
      grids.push({ id: g.id, name: g.name, code: g.code, geometry: g.geometry })
      const page = await get(`/api/houses?grid_id=${a.grid_id}&status=active&per_page=1000`)
      allHouses.push(...page.items.map((h) => ({ id: h.id, address: h.address, grid_id: h.grid_id })))
      const rs = await get(`/api/rentals?grid_id=${a.grid_id}&status=active&per_page=1000`)
      rentals.push(...rs.items.map((r) => ({ id: r.id, code: r.code, qr_token: r.qr_token, house_id: r.house_id, grid_id: r.grid_id,
        landlord_name: r.landlord_name })))
    }
    state.grids = grids
    state.grid = own ? own.grid_id : ''
    state.rentals = rentals
    state.houses = allHouses
    await remember('area:' + me.id, { grids, grid: state.grid, rentals })
    await remember('houses:' + me.id, allHouses)
    state.saved = true
  } catch (e) {
    // Offline or signed out: the kept copies (if any) stay.
  } finally {
    state.areaLoaded = true
  }
}

// address names a house for the lists.
export function address(houseID) {
  const h = state.houses.find((x) => x.id === houseID)
  return h ? h.address : ''
}

export function gridName(id) {
  const g = state.grids.find((x) => x.id === id)
  return g ? g.name : ''
}

