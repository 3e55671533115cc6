// All console areas in menu order. Each area owns its screens' routes and
// menu entries, so that screens are added without editing one shared list.
import * as assess from './assess.js'
import * as ops from './ops.js'
import * as events from './events.js'
import * as supervise from './supervise.js'

// Assessment first: its results and appeals are what the centre opens most.
export const areas = [assess, ops, events, supervise]
