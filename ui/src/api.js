// A small client for gridwork's JSON API. Errors are RFC 9457 problems with
// a code and a list of bad fields; they become ApiError, which the screens
// show through describeError (i18n) in Chinese.

export class ApiError extends Error {
  constructor(status, problem, network = false) {
    super((problem && problem.detail) || 'request failed')
    this.status = status
    this.code = problem && problem.code
    this.fields = (problem && problem.errors) || []
    this.network = network
    this.retryAfter = problem && problem.retryAfter
  }
}

// clientName, when set, goes with every request as X-Gridwork-Client: the
// phone app says "app" so that its day counts as an app login (duty).
let clientName = ''
export function setClientName(name) {
  clientName = name
}

export async function request(method, path, body, opts = {}) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' }
  if (clientName) init.headers['X-Gridwork-Client'] = clientName
  if (body instanceof FormData) {
    init.body = body
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch(path, init)
  } catch (e) {
    throw new ApiError(0, null, true)
  }
  if (res.status === 204) return null
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch (e) {
    data = null
  }
  if (!res.ok) {
    const p = data || { code: 'EINTERNAL' }
    p.retryAfter = res.headers.get('Retry-After')
    const err = new ApiError(res.status, p)
    if (res.status === 401 && opts.onUnauthorized !== false && onUnauthorized) onUnauthorized()
    throw err
  }
  return data
}

let onUnauthorized = null
// setUnauthorizedHandler sets what happens when a signed-in call answers
// 401 (the session ended): the console goes back to its login page.
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

export const get = (path) => request('GET', path)
export const post = (path, body) => request('POST', path, body)

// query builds "?a=1&b=2" from the set values of params.
export function query(params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v)
  }
  const s = q.toString()
  return s ? '?' + s : ''
}
