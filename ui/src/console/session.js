// The signed-in user, shared by the console's screens.
import { reactive, watch } from 'vue'
import { get, post, request } from '../api.js'
import { resetLookup } from '../shared/lookup.js'

export const session = reactive({ user: null, checked: false, mustChange: false })

// The names the screens looked up were read for one user: whenever the
// user changes (sign-in, sign-out, the session expiring), they are
// forgotten at once, before any screen asks again.
watch(() => session.user && session.user.id, () => resetLookup(), { flush: 'sync' })

// load asks the server who is signed in (the session cookie is HttpOnly,
// so only the server knows).
export async function loadSession() {
  try {
    session.user = await request('GET', '/api/me', undefined, { onUnauthorized: false })
  } catch (e) {
    session.user = null
  }
  session.checked = true
  return session.user
}

export async function login(username, password) {
  const r = await request('POST', '/api/login', { username, password }, { onUnauthorized: false })
  session.user = r.user
  session.mustChange = r.must_change_password
  session.checked = true
  return r
}

export async function logout() {
  try {
    await post('/api/logout')
  } finally {
    session.user = null
  }
}

// isCentre: the roles that decide appeals and run assessments.
export const isCentre = () => session.user && (session.user.role === 'centre_staff' || session.user.role === 'admin')
export { get }
