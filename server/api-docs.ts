import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context';
import { notFound } from './errors';
import { contentSecurityPolicy, type CspDirectives } from './security-headers';

/**
 * `/api/docs`: Swagger UI from the installed `swagger-ui-dist` package, served from our own
 * origin (no CDN: a third-party script on this origin would run with the session cookie),
 * pinned by package-lock.json and covered by a CSP that allows only our own scripts.
 */
const distDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files the page loads, by the name it asks for. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
};

/** Swagger UI renders icons as data: images and positions with style attributes. */
export const DOCS_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Threatroom API</title>
    <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script src="/api/docs/init.js"></script>
  </body>
</html>
`;

// An external file rather than an inline script, so the CSP needs no hash or 'unsafe-inline'.
// validatorUrl: null keeps Swagger UI from sending the document to its public validator.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  withCredentials: true,
});
`;

export function mountApiDocs(app: OpenAPIHono<AppEnv>) {
  const cache = new Map<string, string>();
  const csp = contentSecurityPolicy(DOCS_CSP);
  app.get('/api/docs', (c) => {
    c.header('Content-Security-Policy', csp);
    return c.html(PAGE);
  });
  app.get('/api/docs/init.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(INIT);
  });
  app.get('/api/docs/:asset', (c) => {
    const asset = Object.hasOwn(ASSETS, c.req.param('asset'))
      ? ASSETS[c.req.param('asset')]
      : undefined;
    if (!asset) throw notFound('route');
    let text = cache.get(asset.file);
    if (text === undefined) {
      text = readFileSync(join(distDir, asset.file), 'utf8');
      cache.set(asset.file, text);
    }
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(text);
  });
}
