import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface E2eBrowser {
  browser: Browser;
  /** A new isolated context (its own cookies: one signed-in user) at 1280×800. */
  newUser: () => Promise<{ context: BrowserContext; page: Page }>;
  close: () => Promise<void>;
}

/**
 * Debian Chromium, headless. Playwright gives every launch a fresh temporary profile
 * directory (and removes it on close), so no state leaks between runs.
 */
export async function launchBrowser(): Promise<E2eBrowser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ARGS,
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    newUser: async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      // Surface the app's own errors in the test output.
      page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') {
          console.error(`[browser ${msg.type()}] ${msg.text()}`);
        }
      });
      page.on('dialog', (dialog) => void dialog.accept());
      return { context, page };
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
    },
  };
}
