// The names of the org units in the signed-in user's scope, read once per
// page load and shared by the ops screens, which show a grid's or a
// community's name where the API gives its id.
import { reactive } from 'vue'
import { get } from '../../../api.js'

export const unitNames = reactive({})
let loading = null

// loadUnitNames reads every unit in scope (without polygons), a page of
// 1000 at a time; it resolves when all are in unitNames.
export function loadUnitNames() {
  if (!loading) {
    loading = (async () => {
      for (let page = 1; page <= 50; page++) {
        const r = await get(`/api/units?per_page=1000&page=${page}`)
        for (const u of r.items) unitNames[u.id] = u.name
        if (page * r.per_page >= r.total) break
      }
    })().catch((e) => {
      loading = null
      throw e
    })
  }
  return loading
}

export const unitName = (id) => (id ? unitNames[id] || id : '')
