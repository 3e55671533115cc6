// The grids in the user's scope as options of a grid filter, read once per
// page load (names only, no polygons).
import { ref } from 'vue'
import { get } from '../../../api.js'

export const gridOptions = ref([])
let loading = null

export function loadGridOptions() {
  if (!loading) {
    loading = (async () => {
      const out = []
      for (let page = 1; page <= 50; page++) {
        const r = await get(`/api/grids?per_page=1000&page=${page}`)
        out.push(...r.items.map((g) => ({ id: g.id, name: g.name, code: g.code })))
        if (page * r.per_page >= r.total) break
      }
      gridOptions.value = out
    })().catch((e) => {
      loading = null
      throw e
    })
  }
  return loading
}
