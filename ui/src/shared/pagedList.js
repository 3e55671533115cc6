// usePagedList keeps one list the server pages: its rows, total, page, the
// busy flag the table shows and the error in Chinese. fetchPage(page,
// perPage) returns the API's {items, total}. onError may take an error
// itself (return true), e.g. a 403 the screen explains in its own words.
// An answer that arrives after a newer request was made is dropped, so a
// slow first page never overwrites the search typed after it.
import { ref } from 'vue'
import { describeError } from '../i18n/index.js'

export function usePagedList(fetchPage, { perPage = 20, onError } = {}) {
  const items = ref([])
  const total = ref(0)
  const page = ref(1)
  const busy = ref(false)
  const error = ref('')
  let latest = 0

  async function load() {
    const mine = ++latest
    busy.value = true
    error.value = ''
    try {
      const r = await fetchPage(page.value, perPage)
      if (mine !== latest) return
      items.value = r.items
      total.value = r.total
    } catch (e) {
      if (mine !== latest) return
      if (!(onError && onError(e))) error.value = describeError(e)
    } finally {
      if (mine === latest) busy.value = false
    }
  }

  // search starts again from the first page (a filter changed).
  function search() {
    page.value = 1
    return load()
  }

  return { items, total, page, perPage, busy, error, load, search }
}
