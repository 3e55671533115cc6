// The assess screens of the console: their routes (children of the layout)
// and their menu entries. router.js and Layout.vue read every area.
//
// routes: vue-router records; lazy components (() => import(...)) so that
// each screen is its own chunk.
// menu: { title: i18n key of the group, or '' for none, items: [{ path,
// id (the element id tests click), label (i18n key) }] }
//
// The runs list, league table, score card and appeals inbox are routed in
// router.js (they came first); the screens here hang off them.
export const routes = [
  { path: 'assess/schemes', name: 'schemes', component: () => import('../views/assess/Schemes.vue') },
  { path: 'assess/schemes/:id', name: 'scheme', component: () => import('../views/assess/SchemeEditor.vue'), props: true },
  { path: 'assess/runs/:id/escalations', name: 'escalations', component: () => import('../views/assess/Escalations.vue'), props: true },
  { path: 'assess/runs/:id/payroll', name: 'payroll', component: () => import('../views/assess/Payroll.vue'), props: true },
]
export const menu = { title: '', items: [{ path: '/assess/schemes', id: 'nav-schemes', label: 'nav.schemes' }] }
