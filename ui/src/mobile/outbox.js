// The phone's outbox: every record made on the phone is first stored here,
// in IndexedDB, with the UUID the phone gave it (client_id), and then sent.
// A record leaves the outbox only when the server has answered for it; a
// resend after a lost answer carries the same client_id, which the server
// treats as a no-op, so nothing is ever stored twice.
import { ApiError, request } from '../api.js'
import { describeError } from '../i18n/index.js'

const DB = 'gridwork-m'
const OUTBOX = 'outbox'
const CACHE = 'cache'

function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1)
    r.onupgradeneeded = () => {
      r.result.createObjectStore(OUTBOX, { keyPath: 'client_id' })
      r.result.createObjectStore(CACHE, { keyPath: 'key' })
    }
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

async function tx(store, mode, fn) {
  const db = await open()
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode)
    const req = fn(t.objectStore(store))
    t.oncomplete = () => resolve(req && req.result)
    t.onerror = () => reject(t.error)
  })
}

// newID is the client-made UUID of a record.
export function newID() {
  if (crypto.randomUUID) return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

// queue stores an item: {client_id, kind, path, body, label, created_at}.
export function queue(item) {
  // A plain copy of the body: IndexedDB cannot clone Vue's reactive
  // proxies (photos, as blobs, are kept as they are).
  const body = JSON.parse(JSON.stringify(item.body))
  return tx(OUTBOX, 'readwrite', (s) => s.put({ ...item, body, state: 'waiting', error: '' }))
}

export function waiting() {
  return tx(OUTBOX, 'readonly', (s) => s.getAll()).then((xs) => xs.sort((a, b) => a.created_at.localeCompare(b.created_at)))
}

function remove(id) {
  return tx(OUTBOX, 'readwrite', (s) => s.delete(id))
}

function update(item) {
  return tx(OUTBOX, 'readwrite', (s) => s.put(item))
}

const sentListeners = []

// onSent calls fn(item) for every item the server has answered for (the
// patrol counts the fixes it sent this way).
export function onSent(fn) {
  sentListeners.push(fn)
}

// Rounds run one after another: a call made while a round runs gets its
// own round after it, which sees what was queued before the call.
let rounds = Promise.resolve(0)

// flush sends what waits, oldest first. It stops at the first network
// failure (still offline) and leaves a refused item in the outbox marked
// with the server's reason. It returns how many were sent.
export function flush() {
  const round = rounds.then(() => doFlush())
  rounds = round.catch(() => 0)
  return round
}

async function doFlush() {
  let sent = 0
  for (let item of await waiting()) {
    if (item.state === 'refused') continue
    try {
      // Photos taken offline wait as blobs; they go first, and the record
      // names them by the hash the server answers (files are stored by
      // content, so a photo sent twice is stored once).
      if (item.blobs && item.blobs.length) {
        const shas = []
        for (const b of item.blobs) {
          const fd = new FormData()
          fd.append('file', b, b.name || 'photo.jpg')
          const f = await request('POST', '/api/files', fd, { onUnauthorized: false })
          shas.push(f.sha256)
        }
        // Most records take a list of photos; some (a care visit) one.
        const photos = item.photoField === 'photo' ? { photo: shas[0] } : { photos: shas }
        item = { ...item, blobs: [], body: { ...item.body, ...photos } }
        await update(item)
      }
      await request('POST', item.path, item.body, { onUnauthorized: false })
      await remove(item.client_id)
      sent++
      for (const fn of sentListeners) fn(item)
    } catch (e) {
      if (!(e instanceof ApiError) || e.network || e.status === 401 || e.status >= 500) break
      await update({ ...item, state: 'refused', error: describeError(e) + (e.message ? ' (' + e.message + ')' : '') })
    }
  }
  return sent
}

// remember and recall keep lists the app needs offline (the houses of the
// worker's grids).
export function remember(key, value) {
  // A plain copy: IndexedDB cannot clone Vue's reactive proxies.
  const plain = JSON.parse(JSON.stringify(value))
  return tx(CACHE, 'readwrite', (s) => s.put({ key, value: plain, at: new Date().toISOString() }))
}

export function recall(key) {
  return tx(CACHE, 'readonly', (s) => s.get(key)).then((r) => (r ? r.value : null))
}

export function discard(id) {
  return remove(id)
}
