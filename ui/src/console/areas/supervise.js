// The supervise screens of the console: their routes (children of the layout)
// and their menu entries. router.js and Layout.vue read every area.
//
// routes: vue-router records; lazy components (() => import(...)) so that
// each screen is its own chunk.
// menu: { title: i18n key of the group, or '' for none, items: [{ path,
// id (the element id tests click), label (i18n key) }] }
export const routes = [
  { path: 'supervise', redirect: '/supervise/rounds' },
  { path: 'supervise/rounds', name: 'rounds', component: () => import('../views/supervise/Rounds.vue') },
  { path: 'supervise/rounds/:id', name: 'round', component: () => import('../views/supervise/Round.vue'), props: true },
  { path: 'supervise/surveys', name: 'surveys', component: () => import('../views/supervise/Surveys.vue') },
  { path: 'supervise/quizzes', name: 'quizzes', component: () => import('../views/supervise/Quizzes.vue') },
  { path: 'supervise/failings', name: 'failings', component: () => import('../views/supervise/Failings.vue') },
]
export const menu = {
  title: 'nav.supervise',
  items: [
    { path: '/supervise/rounds', id: 'nav-rounds', label: 'nav.rounds' },
    { path: '/supervise/surveys', id: 'nav-surveys', label: 'nav.surveys' },
    { path: '/supervise/quizzes', id: 'nav-quizzes', label: 'nav.quizzes' },
    { path: '/supervise/failings', id: 'nav-failings', label: 'nav.failings' },
  ],
}
