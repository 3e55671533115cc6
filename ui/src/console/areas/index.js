// All console areas in menu order. Each area owns its screens' routes and
// menu entries, so that screens are added without editing one shared list.
import * as ops from './ops.js'
import * as events from './events.js'
import * as assess from './assess.js'
import * as supervise from './supervise.js'

export const areas = [ops, events, assess, supervise]
