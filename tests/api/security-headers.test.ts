/**
 * Issue 11, acceptance 1 (the HTTP part; tests/e2e/csp.test.ts runs the built SPA and the
 * docs page under these headers in Chromium): the security headers on the SPA, the API and
 * /api/docs, and a docs page that loads nothing from another origin.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';

// A built SPA in miniature: SvelteKit writes its policy, with the bootstrap hash, into a meta tag.
const META_POLICY =
  "default-src 'self'; script-src 'self' 'sha256-abc='; style-src 'self' 'unsafe-inline'";
const INDEX = `<!doctype html><html><head><meta http-equiv="content-security-policy" content="${META_POLICY}"></head><body><script>boot()</script></body></html>`;

let webDir: string;
let ctx: TestContext;
let secureCtx: TestContext;
beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'threatroom-web-'));
  writeFileSync(join(webDir, 'index.html'), INDEX);
  writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
  ctx = await createTestContext({ config: { WEB_DIR: webDir } });
  secureCtx = await createTestContext({ config: { WEB_DIR: webDir, COOKIE_SECURE: 'true' } });
});
afterAll(async () => {
  await ctx.close();
  await secureCtx.close();
  rmSync(webDir, { recursive: true, force: true });
});

const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );

function expectCommonHeaders(headers: Headers) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  const permissions = headers.get('permissions-policy') ?? '';
  for (const feature of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()'])
    expect(permissions).toContain(feature);
  expect(directives(headers.get('content-security-policy')).get('frame-ancestors')).toEqual([
    "'none'",
  ]);
}

describe('security headers', () => {
  it('the SPA: the meta policy repeated as a header, plus frame-ancestors; no inline scripts', async () => {
    for (const path of ['/', '/models/some-id/diagrams/x']) {
      const res = await ctx.anonymous().get(path);
      expect(res.status).toBe(200);
      expect(res.contentType).toContain('text/html');
      expectCommonHeaders(res.headers);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toBe(`${META_POLICY}; frame-ancestors 'none'`);
      const scripts = directives(csp).get('script-src')!;
      expect(scripts).toContain("'sha256-abc='");
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts).not.toContain("'unsafe-eval'");
    }
    // Assets carry the headers too.
    expectCommonHeaders((await ctx.anonymous().get('/app.js')).headers);
  });

  it('the API, errors included: default-src none', async () => {
    for (const path of ['/api/health', '/api/me', '/api/no/such/route']) {
      const res = await ctx.anonymous().get(path);
      expectCommonHeaders(res.headers);
      expect(directives(res.headers.get('content-security-policy')).get('default-src')).toEqual([
        "'none'",
      ]);
    }
  });

  it('HSTS only when the session cookie is Secure', async () => {
    expect(
      (await ctx.anonymous().get('/api/health')).headers.get('strict-transport-security'),
    ).toBeNull();
    expect(
      (await secureCtx.anonymous().get('/api/health')).headers.get('strict-transport-security'),
    ).toMatch(/^max-age=31536000/);
    expect((await secureCtx.anonymous().get('/')).headers.get('strict-transport-security')).toMatch(
      /^max-age=\d+/,
    );
  });

  it('/api/docs: Swagger UI from our own origin, its scripts allowed by the CSP and nothing else', async () => {
    const page = await ctx.anonymous().get('/api/docs');
    expect(page.status).toBe(200);
    expectCommonHeaders(page.headers);
    const csp = directives(page.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    const html: string = page.body;
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) {
      expect(url, 'same origin').toMatch(/^\/api\/docs\//);
      const asset = await ctx.anonymous().get(url);
      expect(asset.status, url).toBe(200);
      expect(asset.contentType).toMatch(/^text\/(css|javascript)/);
    }
    const init = await ctx.anonymous().get('/api/docs/init.js');
    expect(init.body).toContain("url: '/api/openapi.json'");
    expect(init.body).toContain('validatorUrl: null');
    // Only the listed files: no other file of the package (or beyond it) is reachable.
    for (const path of ['/api/docs/package.json', '/api/docs/%2e%2e%2fpackage.json'])
      expect((await ctx.anonymous().get(path)).status).toBe(404);
  });
});
