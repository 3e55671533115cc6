// Vite builds the three apps (console /, phone /m/, public /p/) into dist/,
// which is committed and embedded by package ui. The build must be
// reproducible: CI rebuilds it and checks `git diff --exit-code ui/dist`.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { resolve } from 'node:path'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Source maps would double dist/ for no user's benefit.
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        console: resolve(import.meta.dirname, 'index.html'),
        mobile: resolve(import.meta.dirname, 'm/index.html'),
        public: resolve(import.meta.dirname, 'p/index.html'),
      },
    },
  },
})
