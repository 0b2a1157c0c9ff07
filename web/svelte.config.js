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
    // SvelteKit hashes its inline bootstrap script into a <meta> CSP. The server sends the
    // same policy as a header (plus frame-ancestors, which a <meta> CSP cannot carry): see
    // server/security-headers.ts. Both are enforced, so they must agree. Styles stay
    // 'unsafe-inline': Svelte Flow positions every node with a style attribute.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'worker-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};
