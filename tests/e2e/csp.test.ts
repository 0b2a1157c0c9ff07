/**
 * Issue 11, acceptance 1 in a browser: the built SPA runs under its Content-Security-Policy
 * (header from the server + SvelteKit's meta tag, both enforced) with no violation, through
 * sign-up, the model page and the live diagram editor; /api/docs renders Swagger UI with
 * every request on our own origin.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, addShape, createDiagram, createModel, signUp } from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let chrome: E2eBrowser;

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

/**
 * Collects CSP violations twice over: `securitypolicyviolation` events (recorded by a script
 * injected before any page script, in every document) and Chromium's console reports.
 */
async function watchViolations(page: Page) {
  const consoleReports: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) consoleReports.push(msg.text());
  });
  page.on('request', (req) => requests.push(req.url()));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return {
    requests,
    async violations() {
      const events = await page.evaluate(
        () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
      );
      return [...events, ...consoleReports];
    },
  };
}

it('the SPA runs under its CSP: sign-up, models, the live editor, no violation', async () => {
  const { page } = await chrome.newUser();
  const watch = await watchViolations(page);
  const response = await page.goto(`${server.url}/signup`);
  const csp = response!.headers()['content-security-policy']!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self' 'sha256-[^']+'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);

  const who = account('Content Policy');
  await signUp(page, server.url, who);
  expect(await watch.violations()).toEqual([]);
  await createModel(page, server.url, 'CSP model');
  await createDiagram(page, 'CSP diagram');
  await addShape(page, 'process');
  await addShape(page, 'store');
  // A reload runs the inline bootstrap again, now with a session.
  await page.reload();
  await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
  expect(await watch.violations()).toEqual([]);
  const foreign = watch.requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'));
  expect(foreign).toEqual([]);
  // The watcher itself works: an injected inline script is refused and reported.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.head.append(script);
  });
  await expect.poll(async () => (await watch.violations()).length).toBeGreaterThan(0);
  expect(await page.evaluate(() => 'injected' in window)).toBe(false);
});

it('another site cannot frame the SPA (frame-ancestors none)', async () => {
  const { page } = await chrome.newUser();
  // A page of another origin (answered by the browser itself, no CSP of its own) that tries
  // to embed the sign-in screen, as a clickjacking page would.
  await page.route('http://attacker.test/', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<iframe id="victim" src="${server.url}/signup"></iframe>`,
    }),
  );
  await page.goto('http://attacker.test/');
  // Chromium replaces a frame its ancestors may not embed with its own error page.
  const child = () => page.frames().find((f) => f !== page.mainFrame());
  await expect
    .poll(() => child()?.url(), { timeout: 15_000 })
    .toBe('chrome-error://chromewebdata/');
});

it('/api/docs renders Swagger UI from our own origin with no CSP violation', async () => {
  const { page } = await chrome.newUser();
  const watch = await watchViolations(page);
  await page.goto(`${server.url}/api/docs`);
  await page.locator('.swagger-ui .info .title').waitFor();
  await page.locator('.opblock').first().waitFor();
  expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('Threatroom API');
  expect(await watch.violations()).toEqual([]);
  const foreign = watch.requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'));
  expect(foreign).toEqual([]);
  expect(watch.requests).toContain(`${server.url}/api/openapi.json`);
});
