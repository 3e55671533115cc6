import { createApp } from 'vue'
import {
  ElAlert, ElAside, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCol, ElCollapse, ElCollapseItem, ElConfigProvider,
  ElContainer, ElDescriptions, ElDescriptionsItem, ElDialog, ElEmpty, ElForm, ElFormItem, ElHeader, ElInput, ElLink,
  ElLoading, ElMain, ElMenu, ElMenuItem, ElOption, ElPagination, ElRadio, ElRadioButton, ElRadioGroup, ElResult, ElRow, ElSelect,
  ElStep, ElSteps, ElTable, ElTableColumn, ElTag, ElTimeline, ElTimelineItem,
} from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router.js'
import { t } from '../i18n/index.js'

const app = createApp(App)
// Only the components the console uses are registered, so that the rest of
// Element Plus stays out of the bundle.
for (const c of [ElAlert, ElAside, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCol, ElCollapse, ElCollapseItem,
  ElConfigProvider, ElContainer, ElDescriptions, ElDescriptionsItem, ElDialog, ElEmpty, ElForm, ElFormItem, ElHeader, ElInput,
  ElLink, ElLoading, ElMain, ElMenu, ElMenuItem, ElOption, ElPagination, ElRadio, ElRadioButton, ElRadioGroup, ElResult, ElRow,
  ElSelect, ElStep, ElSteps, ElTable, ElTableColumn, ElTag, ElTimeline, ElTimelineItem]) {
  app.use(c)
}
app.config.globalProperties.t = t
app.use(router)
app.mount('#app')
