import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  account,
  addShape,
  createDiagram,
  createModel,
  nodes,
  signUp,
  waitForLive,
} from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startRestartableServer, type RestartableServer } from './support/server';

/**
 * ISSUE 16, acceptance 2: edits made while the server is unreachable survive a reload of the
 * tab (kept in the browser by y-indexeddb) and reach the other participant once it is back.
 */
let server: RestartableServer;
let chrome: E2eBrowser;
let writer: Page;
let watcher: Page;
let diagramUrl = '';

const nodeCount = (page: Page) =>
  page.evaluate(() => document.querySelectorAll('.svelte-flow__node').length);

beforeAll(async () => {
  [server, chrome] = await Promise.all([startRestartableServer(), launchBrowser()]);
  writer = (await chrome.newUser()).page;
  watcher = (await chrome.newUser()).page;
  await Promise.all([
    signUp(writer, server.url, account('Olive Offline')),
    signUp(watcher, server.url, account('Walt Watcher')),
  ]);
  const tm = await createModel(writer, server.url, 'Offline work');
  await createDiagram(writer, 'Train ride');
  diagramUrl = writer.url();
  await addShape(writer, 'process');

  const me = await (await watcher.request.get(`${server.url}/api/me`)).json();
  const granted = await writer.request.fetch(
    `${server.url}/api/threat_models/${tm}/access/user/${me.id}`,
    { method: 'PUT', headers: { origin: server.url }, data: { role: 'reader' } },
  );
  expect(granted.ok()).toBe(true);
  await watcher.goto(diagramUrl);
  await waitForLive(watcher);
  await nodes(watcher, 'process').first().waitFor();
});

afterAll(async () => {
  await chrome?.close();
  await server?.destroy();
});

it('stop the server, edit, reload the tab, start the server: the edits reach the other participant', async () => {
  await server.stop();
  await writer.locator('[data-testid="connection"]:not([data-state="connected"])').waitFor();

  await addShape(writer, 'actor');
  await addShape(writer, 'store');
  await writer.getByTestId('connection').filter({ hasText: '2 unsent edits' }).waitFor();
  expect(await nodeCount(writer)).toBe(3);

  // Leaving warns; the reload itself fails, the server being down.
  const dialogs: string[] = [];
  writer.on('dialog', (d) => dialogs.push(d.type()));
  await writer.reload().catch(() => {});
  expect(dialogs).toContain('beforeunload');

  await server.start();
  await writer.goto(diagramUrl);
  await waitForLive(writer);
  await nodes(writer, 'store').first().waitFor();

  // The watcher reconnects on its own and receives the edits kept in the writer's browser.
  await watcher.waitForFunction(
    () => document.querySelectorAll('.svelte-flow__node').length === 3,
    null,
    {
      timeout: 20_000,
    },
  );
  expect(await nodes(watcher, 'actor').count()).toBe(1);
  expect(await nodes(watcher, 'store').count()).toBe(1);
  // Sent: the writer no longer counts them as unsent, and leaving no longer warns.
  await writer.getByTestId('connection').filter({ hasNotText: 'unsent' }).waitFor();
  await writer.screenshot({ path: 'test-artifacts/offline-edits-merged.png' });
});
