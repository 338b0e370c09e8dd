/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig, loadEnv } from 'vite'
import { precompress } from './build/precompress.ts'

// The dev server (`make web-dev`) proxies the API and WebSockets to a running gateway:
// RENTEZY_GATEWAY_URL, or the gateway's port on loopback (GATEWAY_PORT, default 8000).
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '')
  const gateway = env.RENTEZY_GATEWAY_URL || `http://127.0.0.1:${env.GATEWAY_PORT || '8000'}`
  return {
    plugins: [react(), precompress()],
    server: {
      host: '127.0.0.1',
      port: Number(env.WEB_DEV_PORT || 5173),
      strictPort: true,
      proxy: {
        '/api': { target: gateway },
        '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
      },
    },
    build: {
      target: 'es2022',
      assetsInlineLimit: 2048,
      chunkSizeWarningLimit: 600,
    },
    test: {
      environment: 'jsdom',
      globals: true,
      setupFiles: ['./src/test/setup.ts'],
      include: ['src/**/*.test.{ts,tsx}'],
      css: false,
      testTimeout: 15000,
    },
  }
})
