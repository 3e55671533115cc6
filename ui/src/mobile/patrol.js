// A patrol (巡查): start and stop are taps sent as markers, and while it runs
// the phone's GPS fixes (watchPosition) are gathered and sent in batches
// to /api/patrol/batches. Each batch is cut with its own client-made id and
// goes through the outbox like every record, so that without signal it
// waits in IndexedDB, and a resend after a lost answer stores nothing.
import { reactive } from 'vue'
import { t } from '../i18n/index.js'
import { onSent, recall, remember } from './outbox.js'
import { enqueue, newID, state } from './state.js'

// A batch is cut every BATCH_FIXES fixes or BATCH_SECONDS seconds, so that
// the centre sees a running patrol within a minute and a phone without
// signal keeps a handful of small records rather than one huge one.
const BATCH_FIXES = 5
const BATCH_SECONDS = 30
// The API refuses a batch whose fix claims more (codec.go): such a fix
// (no real position) is dropped rather than sinking the batch.
const MAX_ACCURACY_M = 100000

export const patrol = reactive({
  active: false,
  startedAt: '',
  // buffer: fixes not yet cut into a batch.
  buffer: [],
  // sent: fixes the server has answered for since the patrol started.
  sent: 0,
  error: '',
})

let watch = null
let timer = null

function key() {
  return 'patrol:' + (state.user ? state.user.id : '')
}

function save() {
  return remember(key(), { active: patrol.active, startedAt: patrol.startedAt, buffer: patrol.buffer, sent: patrol.sent })
}

// waitingFixes counts fixes still on the phone: in the buffer and in
// batches waiting in the outbox.
export function waitingFixes() {
  let n = patrol.buffer.length
  for (const it of state.items) {
    if (it.kind === 'patrol') n += it.body.points.length
  }
  return n
}

onSent((item) => {
  if (item.kind === 'patrol') {
    patrol.sent += item.body.points.length
    save()
  }
})

// resume picks a running patrol up again after the app was reopened.
export async function resume() {
  const kept = await recall(key())
  if (!kept) return
  Object.assign(patrol, kept)
  if (patrol.active) follow()
}

function follow() {
  if (navigator.geolocation && watch === null) {
    watch = navigator.geolocation.watchPosition(addFix, (e) => {
      patrol.error = t('mobile.patrol.noGPS') + (e && e.message ? '（' + e.message + '）' : '')
    }, { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 })
  }
  if (!navigator.geolocation) patrol.error = t('mobile.patrol.noGPS')
  if (timer === null) timer = setInterval(cut, BATCH_SECONDS * 1000)
}

function addFix(p) {
  const c = p.coords
  if (!(c.accuracy > 0 && c.accuracy <= MAX_ACCURACY_M) || (c.latitude === 0 && c.longitude === 0)) return
  patrol.error = ''
  state.position = { lat: c.latitude, lon: c.longitude, accuracy: c.accuracy }
  patrol.buffer.push({ lat: c.latitude, lon: c.longitude, accuracy: c.accuracy, at: new Date(p.timestamp || Date.now()).toISOString(),
    speed: c.speed == null || Number.isNaN(c.speed) ? -1 : c.speed, mock: false })
  save()
  if (patrol.buffer.length >= BATCH_FIXES) cut()
}

// cut puts the buffered fixes into a batch in the outbox.
async function cut() {
  if (!patrol.buffer.length) return
  const points = patrol.buffer.splice(0)
  await save()
  const id = newID()
  await enqueue({ client_id: id, kind: 'patrol', path: '/api/patrol/batches', body: { client_id: id, points },
    label: t('mobile.patrol.batch', { n: points.length }) })
}

function marker(kind) {
  const id = newID()
  return enqueue({ client_id: id, kind: 'patrol_marker', path: '/api/patrol/markers', body: { client_id: id, kind, at: new Date().toISOString() },
    label: t('mobile.patrol.' + kind) })
}

export async function start() {
  if (patrol.active) return
  Object.assign(patrol, { active: true, startedAt: new Date().toISOString(), buffer: [], sent: 0, error: '' })
  await save()
  follow()
  await marker('start')
}

export async function stop() {
  if (!patrol.active) return
  if (watch !== null) navigator.geolocation.clearWatch(watch)
  clearInterval(timer)
  watch = timer = null
  await cut()
  await marker('stop')
  patrol.active = false
  await save()
}
