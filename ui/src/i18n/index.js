// t(key, params) reads the catalogue of the current language. Only zh-CN
// exists; a second language is one more import here.
import zhCN from './zh-CN.js'

const catalogues = { 'zh-CN': zhCN }
let current = catalogues['zh-CN']

export function setLanguage(lang) {
  current = catalogues[lang] || catalogues['zh-CN']
}

export function t(key, params) {
  let v = key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), current)
  if (v == null) return key
  if (params) v = String(v).replace(/\{(\w+)\}/g, (m, k) => (params[k] ?? m))
  return v
}

// has reports whether key names a text, for optional labels (a field the
// catalogue may not know).
export function has(key) {
  return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), current) != null
}

// describeError turns an ApiError (api.js) into the Chinese message a user
// reads: the code's sentence, then each bad field as "field：reason". The
// reason stays as the API gave it when the catalogue has no better word.
export function describeError(err) {
  if (!err) return ''
  if (err.network) return t('errors.network')
  const code = err.code || 'unknown'
  let msg = has('errors.' + code) ? t('errors.' + code, { seconds: err.retryAfter || '' }) : t('errors.unknown')
  const fields = (err.fields || []).map((f) => {
    const name = lastPart(f.field)
    const label = name && has('fields.' + name) ? t('fields.' + name) : name
    return label ? t('errors.field', { field: label, reason: f.reason }) : f.reason
  })
  if (fields.length) msg += '：' + fields.join('；')
  return msg
}

// The API names fields as JSON locations ("body.username"): the last part
// is the field.
function lastPart(loc) {
  if (!loc) return ''
  const parts = String(loc).split('.')
  return parts[parts.length - 1]
}
