import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  account,
  addShape,
  cellId,
  createDiagram,
  createModel,
  flows,
  signUp,
  waitForLive,
  waitForViewportStill,
  apiCall,
} from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/** ISSUE 16, acceptance 1: no accidental edits — shortcuts, connecting, renaming, deleting. */
let server: RunningServer;
let chrome: E2eBrowser;
let page: Page;
let tm = '';
let diagramUrl = '';

const call = (method: Parameters<typeof apiCall>[2], path: string, data?: unknown) =>
  apiCall(page, server.url, method, path, data);

const cellCount = () =>
  page.evaluate(
    () =>
      document.querySelectorAll('.svelte-flow__node').length +
      document.querySelectorAll('[data-testid="flow-label"]').length,
  );
const node = (id: string) => page.locator(`[data-testid^="node-"][data-cell-id="${id}"]`);

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  page = (await chrome.newUser()).page;
  await signUp(page, server.url, account('Tess Trust'));
  tm = await createModel(page, server.url, 'Trusted editor');
  await createDiagram(page, 'Checkout');
  diagramUrl = page.url();
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('typing never draws shapes outside the canvas', () => {
  it('a sentence typed after Reply lands in the reply box, and no cell appears', async () => {
    const process = await addShape(page, 'process');
    const diagramId = new URL(diagramUrl).pathname.split('/')[4]!;
    await call('POST', `/api/threat_models/${tm}/comments`, {
      body: 'Where does this process run?',
      diagram_id: diagramId,
      cell_id: await cellId(process),
    });
    await page.getByTestId('comments-toggle').click();
    const thread = page.getByTestId('comment-thread').first();
    await thread.waitFor();
    const before = await cellCount();

    await thread.getByTestId('reply-open').click();
    const sentence = 'a process stores bank transfers; tests pass at speed';
    await page.keyboard.type(sentence);
    expect(await thread.getByTestId('reply-input').inputValue()).toBe(sentence);
    expect(await cellCount()).toBe(before);

    // Focus on a button outside the canvas (not a text field): single keys do nothing.
    await page.getByTestId('reply-input').fill('');
    await thread.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('comments-toggle').focus();
    await page.keyboard.type('apsbt');
    expect(await cellCount()).toBe(before);
  });

  it('typing into every text field of the editor creates no cell', async () => {
    await page.keyboard.press('Escape');
    await page.locator('[data-testid^="node-process"]').first().click();
    await page.getByTestId('add-cell-threat').click();
    await page.getByTestId('threat-name').waitFor();
    const before = await cellCount();
    // Number the fields shown now (the list shifts as forms react to typing).
    const n = await page.evaluate(() => {
      const all = document.querySelectorAll<HTMLElement>(
        '.workspace input:not([type="checkbox"]):not([type="radio"]), .workspace textarea',
      );
      let i = 0;
      for (const el of Array.from(all)) if (el.checkVisibility()) el.dataset.probe = String(i++);
      return i;
    });
    expect(n).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < n; i++) {
      const field = page.locator(`[data-probe="${i}"]`);
      if (!(await field.count()) || (await field.isDisabled())) continue;
      await field.focus();
      await page.keyboard.type('apsbt c');
      expect(await cellCount(), `field ${i}`).toBe(before);
    }
    // The threat form's name field had the focus as soon as it opened.
    await page.reload();
    await waitForLive(page);
    await page.locator('[data-testid^="node-process"]').first().click();
    await page.getByTestId('add-cell-threat').click();
    await page.locator('[data-testid="threat-name"]:focus').waitFor();
  });

  it('on the canvas, single keys still add shapes', async () => {
    await page.keyboard.press('Escape');
    const before = await cellCount();
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('a');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.svelte-flow__node').length > n,
      before - 0,
    );
    expect(await cellCount()).toBe(before + 1);
  });
});

describe('connecting and renaming', () => {
  it('a drop on the target node body connects, and Enter then renames the new flow', async () => {
    await page.goto(`${server.url}/models/${tm}`);
    await createDiagram(page, 'Connecting');
    const source = await addShape(page, 'actor');
    const target = await addShape(page, 'store');
    const [from, to] = [await cellId(source), await cellId(target)];
    const flowsBefore = await flows(page).count();

    await page.keyboard.press('Escape');
    await waitForViewportStill(page);
    const handle = page.locator(
      `.svelte-flow__handle[data-nodeid="${from}"][data-handleid="right"]`,
    );
    const a = (await handle.boundingBox())!;
    const b = (await node(to).boundingBox())!;
    // The middle of the target's body, far from any of its handles.
    const [x, y] = [b.x + b.width * 0.4, b.y + b.height * 0.5];
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move((a.x + x) / 2, (a.y + y) / 2, { steps: 8 });
    await page.mouse.move(x, y, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="flow-label"]').length > n,
      flowsBefore,
    );
    const flow = flows(page).nth(flowsBefore);
    const flowId = (await flow.getAttribute('data-cell-id'))!;

    // The properties panel shows the new flow, and Enter renames that flow.
    await page.getByTestId('properties').getByRole('heading', { name: 'Data flow' }).waitFor();
    await page.keyboard.press('Enter');
    const editor = page
      .locator(`[data-testid="flow-label"][data-cell-id="${flowId}"]`)
      .getByTestId('inline-label');
    await editor.waitFor();
    await page.keyboard.type('Card details');
    await page.keyboard.press('Enter');
    await flows(page).filter({ hasText: 'Card details' }).waitFor();
    // The whole old label was selected, so typing replaced it.
    expect(
      await page.locator(`[data-testid="flow-label"][data-cell-id="${flowId}"]`).innerText(),
    ).toBe('Card details');
    await page.screenshot({ path: 'test-artifacts/editor-trust-connected.png' });
    expect(await node(from).getByTestId('node-label').textContent()).toBe('Actor');

    // F2 renames the element the panel shows: after clicking the store, the store.
    await node(to).click();
    await page.getByTestId('properties').getByRole('heading', { name: 'Data store' }).waitFor();
    await page.keyboard.press('F2');
    await node(to).getByTestId('inline-label').waitFor();
    await page.keyboard.type('Orders DB');
    await page.keyboard.press('Enter');
    await node(to).getByText('Orders DB').waitFor();
  });

  it('C connects the two selected nodes (left to right)', async () => {
    const left = await addShape(page, 'process');
    const right = await addShape(page, 'store');
    const [l, r] = [await cellId(left), await cellId(right)];
    const before = await flows(page).count();
    await node(l).click();
    await node(r).click({ modifiers: ['Shift'] });
    await page.keyboard.press('c');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="flow-label"]').length > n,
      before,
    );
    // Named for screen readers by its label and ends, drawn from the left node to the right.
    const leftFirst = (await node(l).boundingBox())!.x < (await node(r).boundingBox())!.x;
    const ends = leftFirst ? 'from Process to Data store' : 'from Data store to Process';
    await page.locator(`.svelte-flow__edge[aria-label="Data flow Data flow, ${ends}"]`).waitFor();
  });
});

describe('deleting asks first when something is attached', () => {
  it('deleting a node with a threat names the threat; Cancel keeps it, Delete removes it', async () => {
    const victim = await addShape(page, 'process');
    const id = await cellId(victim);
    const diagramId = new URL(page.url()).pathname.split('/')[4]!;
    await call('POST', `/api/threat_models/${tm}/threats`, {
      name: 'Tampering with orders',
      diagram_id: diagramId,
      cell_id: id,
    });
    await page.reload();
    await waitForLive(page);
    await node(id).click();
    await page.keyboard.press('Delete');
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.getByTestId('confirm-details').getByText('1 threat').waitFor();
    // Focus is on the dialog's action, not on ✕.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete');
    await dialog.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await node(id).count()).toBe(1);

    await node(id).click();
    await page.keyboard.press('Delete');
    await dialog.getByTestId('confirm-accept').click();
    await node(id).waitFor({ state: 'detached' });

    // A bare node goes without a question.
    const bare = await addShape(page, 'actor');
    const bareId = await cellId(bare);
    await bare.click();
    await page.keyboard.press('Delete');
    await node(bareId).waitFor({ state: 'detached' });
    await page.screenshot({ path: 'test-artifacts/editor-trust-after-delete.png' });
  });
});
