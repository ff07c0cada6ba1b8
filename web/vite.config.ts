// Build of the dashboard: web/ sources to static files in web/dist, which the daemon serves at `/`.
// Run with `npm run build:web` (vite build --config web/vite.config.ts) from the checkout root.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  // Served at the site root by src/api/dashboard.ts; hash routes keep every view on index.html.
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The daemon runs on modern browsers only (the dashboard is an internal tool).
    target: 'es2022',
    // One small bundle: splitting views into chunks would cost round trips on first view.
    chunkSizeWarningLimit: 200,
  },
  server: {
    // `vite --config web/vite.config.ts` during development forwards the API to a running daemon.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
