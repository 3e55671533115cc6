// The events screens of the console: their routes (children of the layout)
// and their menu entries. router.js and Layout.vue read every area.
//
// routes: vue-router records; lazy components (() => import(...)) so that
// each screen is its own chunk.
// menu: { title: i18n key of the group, or '' for none, items: [{ path,
// id (the element id tests click), label (i18n key) }] }
export const routes = [
  // The queue reads ?state= and ?light= (the home screen links to
  // /events?light=red).
  { path: 'events', name: 'events', component: () => import('../views/events/EventQueue.vue') },
  { path: 'events/requests', name: 'event-requests', component: () => import('../views/events/EventRequests.vue') },
  { path: 'events/cards', name: 'event-cards', component: () => import('../views/events/EventCards.vue') },
  { path: 'events/:id', name: 'event', component: () => import('../views/events/EventDetail.vue'), props: true },
  // ?worker=&day= open a worker's day directly.
  { path: 'patrols', name: 'patrols', component: () => import('../views/events/PatrolDay.vue') },
]
export const menu = {
  title: 'nav.events',
  items: [
    { path: '/events', id: 'nav-events', label: 'nav.eventQueue' },
    { path: '/events/requests', id: 'nav-event-requests', label: 'nav.eventRequests' },
    { path: '/events/cards', id: 'nav-event-cards', label: 'nav.eventCards' },
    { path: '/patrols', id: 'nav-patrols', label: 'nav.patrols' },
  ],
}
