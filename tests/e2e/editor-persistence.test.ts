import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  account,
  addShape,
  cellId,
  connect,
  createDiagram,
  createModel,
  flows,
  nodes,
  signUp,
  waitForLive,
} from './support/app';
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

it('signs up, creates a model and a diagram, draws process → store, and keeps them after a reload', async () => {
  const { page } = await chrome.newUser();
  const ada = account('Ada Lovelace');
  await signUp(page, server.url, ada);

  const tm = await createModel(page, server.url, 'Payments platform');
  expect(tm).toMatch(/^[0-9a-f-]{36}$/);
  const diagram = await createDiagram(page, 'Checkout flow');
  expect(diagram).toMatch(/^[0-9a-f-]{36}$/);

  const process = await addShape(page, 'process');
  const store = await addShape(page, 'store');
  const processId = await cellId(process);
  const storeId = await cellId(store);
  await connect(page, processId, storeId);
  await flows(page).first().waitFor();

  await page.reload();
  await waitForLive(page);
  // Svelte Flow draws edges only after measuring their nodes: wait for each kind to appear.
  await nodes(page, 'process').first().waitFor();
  await nodes(page, 'store').first().waitFor();
  await flows(page).first().waitFor();
  expect(await nodes(page, 'process').count()).toBe(1);
  expect(await nodes(page, 'store').count()).toBe(1);
  expect(await flows(page).count()).toBe(1);
  expect(await cellId(nodes(page, 'process').first())).toBe(processId);
  expect(await cellId(nodes(page, 'store').first())).toBe(storeId);
  expect(await flows(page).first().textContent()).toContain('Data flow');
});
