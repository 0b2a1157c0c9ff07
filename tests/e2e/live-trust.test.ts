import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  account,
  addShape,
  cellId,
  createDiagram,
  createModel,
  nodes,
  signUp,
  waitForLive,
} from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/**
 * ISSUE 10, acceptance 6 (the editor half) and 7: a live editing session reads as sentences
 * on the activity screen, and a writer demoted over REST sees the editor turn view-only
 * within a second, without a reload.
 */
let server: RunningServer;
let chrome: E2eBrowser;
let owner: Page;
let writer: Page;
const ada = account('Ada Owner');
const grace = account('Grace Writer');
let modelUrl = '';
let diagramUrl = '';
let tmId = '';

/** Calls the API from the page, as the signed-in browser (cookie and Origin). */
function call(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ([m, p, b]) => {
      const res = await fetch(p as string, {
        method: m as string,
        headers: { 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    },
    [method, path, body] as const,
  );
}

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  owner = (await chrome.newUser()).page;
  writer = (await chrome.newUser()).page;
  await Promise.all([signUp(owner, server.url, ada), signUp(writer, server.url, grace)]);
  tmId = await createModel(owner, server.url, 'Payments platform');
  modelUrl = owner.url().split('?')[0]!;
  await createDiagram(owner, 'Checkout flow');
  diagramUrl = owner.url();
  const me = await call(writer, 'GET', '/api/me');
  const grant = await call(owner, 'PUT', `/api/threat_models/${tmId}/access/user/${me.body.id}`, {
    role: 'writer',
  });
  expect(grant.status).toBe(201);
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

async function rename(page: Page, node: ReturnType<typeof nodes>, label: string) {
  await node.click();
  const input = page.getByTestId('prop-label');
  await input.fill(label);
  await input.press('Enter');
  await input.blur();
}

describe('live edits on the activity screen', () => {
  it('reads as sentences with people and element names', async () => {
    await owner.goto(diagramUrl);
    await waitForLive(owner);
    const store = await addShape(owner, 'store');
    await rename(owner, store, 'Card vault');
    const storeId = await cellId(store);

    await writer.goto(diagramUrl);
    await waitForLive(writer);
    const api = await addShape(writer, 'process');
    await rename(writer, api, 'Orders API');
    const vault = writer.locator(`[data-cell-id="${storeId}"]`);
    await vault.click();
    await writer.keyboard.press('Delete');
    await writer.waitForFunction(
      (id) => !document.querySelector(`[data-cell-id="${id}"]`),
      storeId,
    );
    // Leaving ends the session, which writes the live-edit entries.
    await Promise.all([writer.goto(modelUrl), owner.goto(modelUrl)]);

    const log = owner.getByTestId('activity');
    let text = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      await owner.goto(`${modelUrl}?tab=activity`);
      await log.waitFor();
      text = await log.innerText();
      if (text.includes('deleted Card vault')) break;
      await owner.waitForTimeout(500);
    }
    expect(text).toContain('Grace Writer');
    expect(text).toContain('edited “Checkout flow” live: added Orders API and deleted Card vault');
    expect(text).toContain('Ada Owner');
    expect(text).toContain('edited “Checkout flow” live: added Card vault');
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    await owner.screenshot({ path: 'test-artifacts/activity-live-edits.png', fullPage: true });
  });
});

describe('a refused change', () => {
  it('the editor drops it, restarts from the server and says so in one line', async () => {
    await writer.goto(diagramUrl);
    await waitForLive(writer);
    const api = nodes(writer, 'process').first();
    // A NUL character: REST refuses it, so the live door does too.
    await api.click();
    // Enter commits the label; the workspace restarts underneath, so no blur afterwards.
    await writer.getByTestId('prop-label').fill('Orders\u0000API');
    await writer.getByTestId('prop-label').press('Enter');
    const notice = writer.getByTestId('refused-notice');
    await notice.waitFor({ timeout: 5_000 });
    expect(await notice.innerText()).toContain('label: must not contain NUL characters');
    await waitForLive(writer);
    await writer.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="node-process"]')).some(
        (n) => n.textContent?.trim() === 'Orders API',
      ),
    );
    await writer.screenshot({ path: 'test-artifacts/editor-refused-change.png' });
    // The owner never saw it either, and the writer keeps editing normally.
    await owner.goto(diagramUrl);
    await waitForLive(owner);
    expect(await nodes(owner, 'process').first().innerText()).toContain('Orders API');
  });
});

describe('access changes in the open editor', () => {
  it('a writer demoted over REST sees view-only within a second, without a reload', async () => {
    await writer.goto(diagramUrl);
    await waitForLive(writer);
    await writer.getByTestId('palette-process').waitFor();
    expect(await writer.getByTestId('readonly-banner').count()).toBe(0);
    const me = await call(writer, 'GET', '/api/me');
    const startedAt = Date.now();
    const demoted = await call(
      owner,
      'PUT',
      `/api/threat_models/${tmId}/access/user/${me.body.id}`,
      { role: 'reader' },
    );
    expect(demoted.status).toBe(200);
    await writer.getByTestId('readonly-banner').waitFor({ timeout: 1_000 });
    const after = Date.now() - startedAt;
    console.log(`[e2e] demoted writer's editor view-only after ${after} ms`);
    expect(await writer.getByTestId('readonly-banner').innerText()).toContain('reader');
    expect(await writer.getByTestId('palette-process').count()).toBe(0);
    await writer.screenshot({ path: 'test-artifacts/editor-demoted-view-only.png' });
  });
});
