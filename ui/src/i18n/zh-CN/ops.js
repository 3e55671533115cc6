// The ops screens' texts: top-level sections of the zh-CN catalogue
// (merged in ../zh-CN.js). Keep keys stable; texts may change.
export default {}
