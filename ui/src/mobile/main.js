// The grid worker's phone app (issue 7): not built yet beyond this page.
import { createApp, h } from 'vue'
import { t } from '../i18n/index.js'

createApp({ render: () => h('div', { style: 'padding:24px;font-family:sans-serif' }, [h('h2', t('mobile.title')), h('p', t('app.loading'))]) }).mount('#app')
