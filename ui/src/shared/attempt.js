// attempt runs fn, a screen's request, with the busy flag (if any: null
// for none) set while it runs and its failure put in error as the Chinese
// message instead of thrown; it returns fn's result (undefined after a
// failure). Clearing error first is the caller's choice: some screens keep
// an earlier message until the next one.
import { describeError } from '../i18n/index.js'

export async function attempt(busy, error, fn) {
  if (busy) busy.value = true
  try {
    return await fn()
  } catch (e) {
    error.value = describeError(e)
  } finally {
    if (busy) busy.value = false
  }
}
