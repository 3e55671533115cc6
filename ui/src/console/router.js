import { createRouter, createWebHistory } from 'vue-router'
import { session, loadSession } from './session.js'
import { setUnauthorizedHandler } from '../api.js'
import { areas } from './areas/index.js'

// Every screen is its own chunk: the first load carries the login page and
// the layout, not the charts, maps or tables of screens not yet opened.
const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./views/Layout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/Home.vue') },
      { path: 'records/import', name: 'import', component: () => import('./views/Import.vue') },
      { path: 'records/:entity/:id', name: 'record', component: () => import('./views/Record.vue'), props: true },
      ...areas.flatMap((a) => a.routes),
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession()
  if (!to.meta.public && !session.user) return { name: 'login', query: { next: to.fullPath } }
})

setUnauthorizedHandler(() => {
  session.user = null
  if (router.currentRoute.value.name !== 'login') router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath } })
})
