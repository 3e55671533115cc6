// The assess screens of the console: their routes (children of the layout)
// and their menu entries. router.js and Layout.vue read every area.
//
// routes: vue-router records; lazy components (() => import(...)) so that
// each screen is its own chunk.
// menu: { title: i18n key of the group, or '' for none, items: [{ path,
// id (the element id tests click), label (i18n key) }] }
export const routes = [
  { path: 'assess/runs', name: 'runs', component: () => import('../views/assess/Runs.vue') },
  { path: 'assess/runs/:id', name: 'league', component: () => import('../views/assess/League.vue'), props: true },
  { path: 'assess/runs/:id/subjects/:subject', name: 'card', component: () => import('../views/assess/ScoreCard.vue'), props: true },
  { path: 'assess/appeals', name: 'appeals', component: () => import('../views/assess/Appeals.vue') },
  { path: 'assess/schemes', name: 'schemes', component: () => import('../views/assess/Schemes.vue') },
  { path: 'assess/schemes/:id', name: 'scheme', component: () => import('../views/assess/SchemeEditor.vue'), props: true },
  { path: 'assess/runs/:id/escalations', name: 'escalations', component: () => import('../views/assess/Escalations.vue'), props: true },
  { path: 'assess/runs/:id/payroll', name: 'payroll', component: () => import('../views/assess/Payroll.vue'), props: true },
]
export const menu = {
  title: 'nav.assess',
  items: [
    { path: '/assess/runs', id: 'nav-runs', label: 'nav.runs' },
    { path: '/assess/appeals', id: 'nav-appeals', label: 'nav.appeals' },
    { path: '/assess/schemes', id: 'nav-schemes', label: 'nav.schemes' },
  ],
}
