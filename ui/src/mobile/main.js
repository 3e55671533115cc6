import { createApp } from 'vue'
import { Button, Cell, CellGroup, Empty, Field, Form, Grid, GridItem, NavBar, Radio, RadioGroup, Search, Switch, Tabbar, TabbarItem, Tag } from 'vant'
import 'vant/lib/index.css'
import App from './App.vue'
import { setClientName } from '../api.js'
import { t } from '../i18n/index.js'

// Every request says it comes from the phone app (the day's app login).
setClientName('app')
const app = createApp(App)
for (const c of [Button, Cell, CellGroup, Empty, Field, Form, Grid, GridItem, NavBar, Radio, RadioGroup, Search, Switch, Tabbar, TabbarItem, Tag]) app.use(c)
app.config.globalProperties.t = t
app.mount('#app')

// The service worker keeps the app itself on the phone, so that it opens
// without signal; the outbox (IndexedDB) keeps what was entered.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {})
}
