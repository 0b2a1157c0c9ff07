import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = process.env.THREATROOM_API ?? 'http://localhost:8787';

export default defineConfig({
  plugins: [sveltekit()],
  // model/ lives beside web/ and is shared with the server.
  server: {
    fs: { allow: ['..'] },
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/collab': { target: api, ws: true, changeOrigin: false },
    },
  },
});
