// What the signed-in user may do to an event: the workflow's table
// (internal/events/machine.go, Next) crossed with each role's steps
// (internal/api/events.go, roleSteps). The server checks both again; this
// only decides which buttons to show.
const forward = { reported: 'accept', accepted: 'dispatch', dispatched: 'handle', handled: 'verify', verified: 'close' }
const working = (s) => s in forward

const roleSteps = {
  grid_worker: ['handle', 'escalate', 'request_extension', 'request_park', 'request_void'],
  community_staff: ['accept', 'handle', 'verify', 'close', 'send_back', 'escalate', 'request_extension', 'request_park', 'request_void', 'resume'],
  centre_staff: ['accept', 'dispatch', 'handle', 'verify', 'close', 'send_back', 'escalate', 'request_extension', 'request_park', 'request_void', 'resume'],
}

// The main line in order: the queue's tabs.
export const mainStates = ['reported', 'accepted', 'dispatched', 'handled', 'verified', 'closed']
export const otherStates = ['parked', 'voided']

// stageOf is the stage whose clock runs for an event in state s.
export const stageOf = (s) => ({ reported: 'accept', accepted: 'dispatch', dispatched: 'handle', handled: 'verify' })[s] || 'close'

// currentClock is the clock of the event's current stage: its light is
// the event's light in the queue.
export function currentClock(e) {
  if (!e.clocks || !e.clocks.length) return null
  const st = stageOf(e.state)
  return e.clocks.find((c) => c.stage === st && !c.done) || e.clocks.find((c) => !c.done) || null
}

function allowed(state, a, e) {
  switch (a) {
    case 'accept': case 'dispatch': case 'handle': case 'verify': case 'close':
      return forward[state] === a
    case 'send_back':
      return ['accepted', 'dispatched', 'handled', 'verified'].includes(state)
    case 'escalate':
      return working(state) && !e.upward_at
    case 'request_extension': case 'request_park':
      return working(state)
    case 'request_void':
      return working(state) || state === 'parked'
    case 'resume':
      return state === 'parked'
  }
  return false
}

// actionsFor lists the workflow steps user may take on e now; a request
// of a kind already pending is left out.
export function actionsFor(user, e) {
  if (!user || !e) return []
  const pending = new Set((e.requests || []).filter((r) => r.status === 'pending').map((r) => 'request_' + r.kind))
  return (roleSteps[user.role] || []).filter((a) => allowed(e.state, a, e) && !pending.has(a))
    .filter((a) => !(a === 'handle' && user.role === 'grid_worker' && e.assignee_worker_id !== user.worker_id))
}

// canApprove: the centre decides extension, parking and void requests.
export const canApprove = (user) => !!user && user.role === 'centre_staff'
