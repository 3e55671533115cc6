// The ops screens of the console: their routes (children of the layout)
// and their menu entries. router.js and Layout.vue read every area.
//
// routes: vue-router records; lazy components (() => import(...)) so that
// each screen is its own chunk.
// menu: { title: i18n key of the group, or '' for none, items: [{ path,
// id (the element id tests click), label (i18n key) }] }
//
// The home screen (views/Home.vue) and the import wizard (views/Import.vue)
// keep their routes in router.js; they are ops screens too.
export const routes = [
  { path: 'org', name: 'org', component: () => import('../views/ops/Org.vue') },
  { path: 'org/workers', name: 'workers', component: () => import('../views/ops/Workers.vue') },
  { path: 'org/users', name: 'users', component: () => import('../views/ops/Users.vue') },
  { path: 'records/people', name: 'people', component: () => import('../views/ops/People.vue') },
  { path: 'records/rentals', name: 'rentals', component: () => import('../views/ops/Rentals.vue') },
  { path: 'care', name: 'care', component: () => import('../views/ops/Care.vue') },
]

export const menu = {
  title: 'nav.opsGroup',
  items: [
    { path: '/org', id: 'nav-org', label: 'nav.org' },
    { path: '/org/workers', id: 'nav-workers', label: 'nav.workers' },
    { path: '/org/users', id: 'nav-users', label: 'nav.users' },
    { path: '/records/people', id: 'nav-people', label: 'nav.people' },
    { path: '/records/rentals', id: 'nav-rentals', label: 'nav.rentals' },
    { path: '/care', id: 'nav-care', label: 'nav.care' },
  ],
}
