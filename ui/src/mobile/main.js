import { createApp } from 'vue'
import { Button, Cell, CellGroup, Empty, Field, Form, NavBar, Search, Switch, Tabbar, TabbarItem, Tag } from 'vant'
import 'vant/lib/index.css'
import App from './App.vue'
import { t } from '../i18n/index.js'

const app = createApp(App)
for (const c of [Button, Cell, CellGroup, Empty, Field, Form, NavBar, Search, Switch, Tabbar, TabbarItem, Tag]) app.use(c)
app.config.globalProperties.t = t
app.mount('#app')

// The service worker keeps the app itself on the phone, so that it opens
// without signal; the outbox (IndexedDB) keeps what was entered.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {})
}
