import { fileURLToPath } from 'node:url'

import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The dashboard is built into dist/web and served by `hpm serve` at `/` (same origin as the API).
// It imports src/client and src/contract directly: one set of types and schemas for every client.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev:web` against a local `hpm serve`; `/status` (the attention list) sits outside /api.
    proxy: { '/api': 'http://127.0.0.1:6969', '/status': 'http://127.0.0.1:6969' },
  },
})
