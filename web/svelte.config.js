import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Test runs build into their own directories (THREATROOM_WEB_BUILD_DIR, THREATROOM_KIT_DIR) so
// that concurrent runs never serve each other's half-written chunks.
const pages = process.env.THREATROOM_WEB_BUILD_DIR ?? 'build';

/** A single-page app: the Hono server serves build/ and falls back to index.html. */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages, assets: pages, fallback: 'index.html', strict: true }),
    outDir: process.env.THREATROOM_KIT_DIR ?? '.svelte-kit',
    alias: { $model: '../model' },
  },
};
