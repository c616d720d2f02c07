/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// `npm run dev` talks to a running `gurumisha serve` (HTTP transport); point
// GURUMISHA_HTTP_URL at it. The desktop app and `gurumisha serve` both load
// the static build in `dist/`, so nothing here may reference remote content.
const apiTarget = process.env.GURUMISHA_HTTP_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: the bundle is served from `/` by the HTTP server and
  // from the custom protocol by Tauri.
  base: './',
  clearScreen: false,
  server: {
    strictPort: true,
    proxy: { '/api': apiTarget },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
