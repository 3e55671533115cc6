// The phone app's service worker: it keeps the app (its page and its
// hashed assets) so that the app opens without signal. API calls are never
// cached: what the worker enters offline waits in the outbox (IndexedDB),
// not here.
const CACHE = 'gridwork-m-v1'

// precache reads the app's page and keeps it with every asset it names.
async function precache() {
  const cache = await caches.open(CACHE)
  const res = await fetch('/m/', { cache: 'no-cache' })
  if (!res.ok) return
  const html = await res.clone().text()
  await cache.put('/m/', res)
  const assets = [...html.matchAll(/(?:src|href)="(\/(?:assets|m)\/[^"]+)"/g)].map((m) => m[1])
  await cache.addAll(assets)
}

self.addEventListener('install', (e) => {
  e.waitUntil(precache().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url)
  if (e.request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names: a kept copy is always right.
    e.respondWith(
      caches.match(e.request).then((hit) => hit || fetch(e.request).then((res) => {
        if (res.ok) caches.open(CACHE).then((c) => c.put(e.request, res.clone()))
        return res
      })),
    )
    return
  }
  if (e.request.mode === 'navigate' && url.pathname.startsWith('/m/')) {
    // The newest page when online; the kept one without signal.
    e.respondWith(
      fetch(e.request).then((res) => {
        if (res.ok) caches.open(CACHE).then((c) => c.put('/m/', res.clone()))
        return res
      }).catch(() => caches.match('/m/')),
    )
  }
})
