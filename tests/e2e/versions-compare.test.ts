import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, createModel, signUp, waitForLive, apiCall } from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/** ISSUE 14: compare view, safe restore with two participants, the drift notice. */
let server: RunningServer;
let chrome: E2eBrowser;
let owner: Page;
let writer: Page;
let tm = '';
let d = '';
let url = '';

const node = (shape: string, label: string, x: number, y = 120) => ({
  id: randomUUID(),
  shape,
  label,
  x,
  y,
  width: 140,
  height: 70,
});
const customer = node('actor', 'Customer', 60);
const api = node('process', 'Checkout API', 320);
const orders = node('store', 'Orders', 600);
const cache = node('store', 'Old cache', 320, 320);
const login = {
  id: randomUUID(),
  shape: 'flow',
  label: 'login',
  source: { cell: customer.id },
  target: { cell: api.id },
};
const write = {
  id: randomUUID(),
  shape: 'flow',
  label: 'write order',
  source: { cell: api.id },
  target: { cell: orders.id },
};
const archive = node('store', 'Archive', 600, 320);

const call = (page: Page, method: Parameters<typeof apiCall>[2], path: string, data?: unknown) =>
  apiCall(page, server.url, method, path, data);

const onCanvas = (page: Page, id: string) =>
  page.locator(`.svelte-flow [data-testid^="node-"][data-cell-id="${id}"]`);
const labels = async (page: Page) =>
  (await page.locator('.svelte-flow [data-testid="node-label"]').allTextContents()).sort();

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  owner = (await chrome.newUser()).page;
  writer = (await chrome.newUser()).page;
  await signUp(owner, server.url, account('Olga Owner'));
  await signUp(writer, server.url, account('Walt Writer'));
  tm = await createModel(owner, server.url, 'Shop');
  const created = await call(owner, 'POST', `/api/threat_models/${tm}/diagrams`, {
    name: 'Checkout',
    type: 'DFD-1.0.0',
    cells: [customer, api, orders, cache, login, write],
  });
  d = created.id;
  const me = await call(writer, 'GET', '/api/me');
  await call(owner, 'PUT', `/api/threat_models/${tm}/access/user/${me.id}`, { role: 'writer' });
  url = `${server.url}/models/${tm}/diagrams/${d}`;
  await Promise.all([owner.goto(url), writer.goto(url)]);
  await Promise.all([waitForLive(owner), waitForLive(writer)]);
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

it('compares a version with now: added green, removed as ghosts, changed amber, moved with an outline', async () => {
  await call(owner, 'POST', `/api/threat_models/${tm}/diagrams/${d}/versions`, {
    change_description: 'Before the redesign',
  });
  // The writer's changes: a rename, a move, a deleted store, a new store.
  await call(writer, 'PUT', `/api/threat_models/${tm}/diagrams/${d}`, {
    name: 'Checkout',
    cells: [
      { ...customer, label: 'Shopper' },
      { ...api, x: 360, y: 40 },
      orders,
      login,
      write,
      archive,
    ],
  });
  await onCanvas(owner, archive.id).waitFor();

  await owner.getByTestId('side-versions').click();
  await owner
    .locator('[data-testid="version-item"][data-version="1"]')
    .getByTestId('compare-version')
    .click();
  const changes = owner.getByTestId('compare-changes');
  await changes.waitFor();
  expect(await changes.getByTestId('compare-count').textContent()).toBe('4 changes');
  await owner.locator(`[data-cell-id="${archive.id}"][data-compare="added"]`).waitFor();
  await owner.locator(`[data-cell-id="${api.id}"][data-compare="moved"]`).waitFor();
  await owner.locator(`[data-cell-id="${customer.id}"][data-compare="changed"]`).waitFor();
  await owner
    .locator(`[data-testid="compare-ghost"][data-kind="removed"][data-cell-id="${cache.id}"]`)
    .waitFor();
  await owner
    .locator(`[data-testid="compare-ghost"][data-kind="moved"][data-cell-id="${api.id}"]`)
    .waitFor();
  expect(
    (await changes.getByTestId('compare-change').allTextContents()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    ),
  ).toEqual(
    // Added, removed, then changed; the changed ones in the live document's order.
    expect.arrayContaining([
      'added Archive',
      'removed Old cache',
      'renamed Shopper',
      'moved Checkout API',
    ]),
  );
  expect(await changes.getByTestId('compare-change').count()).toBe(4);
  // The marks follow live edits: the writer moves Orders, the list grows.
  await call(writer, 'PATCH', `/api/threat_models/${tm}/diagrams/${d}`, [
    {
      op: 'replace',
      path: `/cells/${(await call(writer, 'GET', `/api/threat_models/${tm}/diagrams/${d}`)).cells.findIndex((c: any) => c.id === orders.id)}/x`,
      value: 700,
    },
  ]);
  await owner.locator(`[data-cell-id="${orders.id}"][data-compare="moved"]`).waitFor();
  await changes.getByTestId('compare-change').filter({ hasText: 'Orders' }).click();
  await owner.screenshot({ path: 'test-artifacts/compare-view.png' });
  await changes.getByTestId('compare-close').click();
  await changes.waitFor({ state: 'detached' });
  expect(await owner.locator('[data-compare]').count()).toBe(0);
});

it('restoring v1 records the work in progress first; restoring that brings every cell back, for both', async () => {
  const working = await labels(writer);
  expect(working).toEqual(['Archive', 'Checkout API', 'Orders', 'Shopper']);
  await owner
    .locator('[data-testid="version-item"][data-version="1"]')
    .getByTestId('restore-version')
    .click();
  expect(await owner.getByTestId('confirm-message').textContent()).toContain('before restore');
  await owner.getByTestId('confirm-accept').click();
  for (const page of [owner, writer])
    await expect
      .poll(() => labels(page))
      .toEqual(['Checkout API', 'Customer', 'Old cache', 'Orders']);
  const pre = owner.locator('[data-testid="version-item"]').filter({ hasText: 'Before restore' });
  await pre.waitFor();
  await pre.getByTestId('restore-version').click();
  await owner.getByTestId('confirm-accept').click();
  for (const page of [owner, writer]) await expect.poll(() => labels(page)).toEqual(working);
});

it('sign-off, approval, one moved cell: the model page says "1 change since approval" and links to the diff', async () => {
  const me = await call(writer, 'GET', '/api/me');
  await call(writer, 'POST', `/api/threat_models/${tm}/reviews`, { reviewer_ids: [me.id] });
  await call(writer, 'POST', `/api/threat_models/${tm}/reviews/decision`, { decision: 'approved' });
  await call(owner, 'POST', `/api/threat_models/${tm}/reviews/decision`, { decision: 'approved' });
  const cells = (await call(writer, 'GET', `/api/threat_models/${tm}/diagrams/${d}`)).cells;
  const index = cells.findIndex((c: any) => c.id === archive.id);
  await call(writer, 'PATCH', `/api/threat_models/${tm}/diagrams/${d}`, [
    { op: 'replace', path: `/cells/${index}/y`, value: 420 },
  ]);
  await owner.goto(`${server.url}/models/${tm}`);
  const notice = owner.getByTestId('drift-notice');
  await notice.waitFor();
  expect((await notice.innerText()).replace(/\s+/g, ' ')).toContain('1 change since approval');
  await owner.screenshot({ path: 'test-artifacts/drift-notice.png' });
  await notice.getByTestId('drift-compare').click();
  await waitForLive(owner);
  await owner.locator(`[data-cell-id="${archive.id}"][data-compare="moved"]`).waitFor();
  expect(await owner.getByTestId('compare-count').textContent()).toBe('1 change');
  await owner.screenshot({ path: 'test-artifacts/drift-compare.png' });
});
