import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  account,
  addShape,
  cellId,
  createDiagram,
  createModel,
  dragNode,
  nodes,
  signUp,
  waitForLive,
  type Account,
} from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let chrome: E2eBrowser;
let owner: Page;
let writer: Page;
let reader: Page;
const ada = account('Ada Owner');
const grace = account('Grace Writer');
const linus = account('Linus Reader');
let diagramUrl = '';
let modelUrl = '';

/** Grants `who` a role through the Access tab, as an owner does it. */
async function grantThroughAccessScreen(page: Page, who: Account, role: string) {
  await page.goto(modelUrl);
  await page.getByTestId('tab-access').click();
  await page.getByTestId('principal-search').fill(who.email);
  await page.getByTestId('principal-match').filter({ hasText: who.email }).click();
  await page.getByTestId('grant-role').selectOption(role);
  await page.getByTestId('grant-submit').click();
  await page.locator(`[data-testid="grant-row"][data-principal="${who.email}"]`).waitFor();
}

/** Milliseconds until `count` nodes of `shape` are on `page` (fails after `limit` ms). */
async function timeUntilNodes(
  page: Page,
  shape: string,
  count: number,
  started: number,
  limit = 1000,
) {
  await page.waitForFunction(
    ([s, n]) => document.querySelectorAll(`[data-testid="node-${s}"]`).length === Number(n),
    [shape, count] as const,
    { timeout: limit },
  );
  return Date.now() - started;
}

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  owner = (await chrome.newUser()).page;
  writer = (await chrome.newUser()).page;
  reader = (await chrome.newUser()).page;
  await Promise.all([
    signUp(owner, server.url, ada),
    signUp(writer, server.url, grace),
    signUp(reader, server.url, linus),
  ]);
  await createModel(owner, server.url, 'Shared model');
  modelUrl = owner.url().split('?')[0]!;
  await createDiagram(owner, 'Live diagram');
  diagramUrl = owner.url();
  await grantThroughAccessScreen(owner, grace, 'writer');
  await grantThroughAccessScreen(owner, linus, 'reader');
  await owner.screenshot({ path: 'test-artifacts/model-page-access.png' });
  await Promise.all([owner.goto(diagramUrl), writer.goto(diagramUrl), reader.goto(diagramUrl)]);
  await Promise.all([waitForLive(owner), waitForLive(writer), waitForLive(reader)]);
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('two writers on one diagram', () => {
  it("shows one's edit in the other within a second, both ways", async () => {
    let started = Date.now();
    await owner.getByTestId('palette-process').click();
    const ownerToWriter = await timeUntilNodes(writer, 'process', 1, started);

    started = Date.now();
    await writer.getByTestId('palette-store').click();
    const writerToOwner = await timeUntilNodes(owner, 'store', 1, started);

    console.log(`edit latency: owner→writer ${ownerToWriter} ms, writer→owner ${writerToOwner} ms`);
    expect(ownerToWriter).toBeLessThan(1000);
    expect(writerToOwner).toBeLessThan(1000);

    // A move shows up at the other side too.
    const process = nodes(owner, 'process').first();
    const id = await cellId(process);
    const before = await writer.locator(`[data-cell-id="${id}"]`).boundingBox();
    await dragNode(owner, process, -120, 60);
    await writer.waitForFunction(
      ([cell, x]) => {
        const box = document.querySelector(`[data-cell-id="${cell}"]`)?.getBoundingClientRect();
        return box !== undefined && Math.abs(box.x - Number(x)) > 40;
      },
      [id, before!.x] as const,
      { timeout: 1000 },
    );
  });

  it("shows each participant the other's avatar and live cursor", async () => {
    await owner.waitForSelector(`[data-testid="participants"] [data-name="${grace.name}"]`);
    await writer.waitForSelector(`[data-testid="participants"] [data-name="${ada.name}"]`);

    const canvasOwner = (await owner.getByTestId('canvas').boundingBox())!;
    await owner.mouse.move(canvasOwner.x + 400, canvasOwner.y + 300, { steps: 4 });
    await writer.waitForSelector(`[data-testid="remote-cursor"][data-name="${ada.name}"]`);

    const canvasWriter = (await writer.getByTestId('canvas').boundingBox())!;
    await writer.mouse.move(canvasWriter.x + 520, canvasWriter.y + 220, { steps: 4 });
    await owner.waitForSelector(`[data-testid="remote-cursor"][data-name="${grace.name}"]`);

    // Selecting a node outlines it in the selector's colour for the other participant.
    await writer.locator('[data-testid="node-store"]').first().click();
    await owner.waitForSelector('[data-testid="node-store"].remote');

    await owner.screenshot({ path: 'test-artifacts/editor-two-participants.png' });
  });
});

describe('undo', () => {
  it("undoes only one's own changes, never a collaborator's", async () => {
    const count = (page: Page, shape: string) => nodes(page, shape).count();
    const mine = await addShape(owner, 'actor');
    const mineId = await cellId(mine);
    await writer.locator(`[data-cell-id="${mineId}"]`).waitFor();
    const theirs = await addShape(writer, 'actor');
    const theirsId = await cellId(theirs);
    await owner.locator(`[data-cell-id="${theirsId}"]`).waitFor();
    const actors = await count(owner, 'actor');

    await owner.getByTestId('undo').click();
    await writer.locator(`[data-cell-id="${mineId}"]`).waitFor({ state: 'detached' });
    expect(await count(owner, 'actor')).toBe(actors - 1);
    expect(await owner.locator(`[data-cell-id="${theirsId}"]`).count()).toBe(1);

    await owner.getByTestId('redo').click();
    await writer.locator(`[data-cell-id="${mineId}"]`).waitFor();
  });
});

describe('a reader on the same diagram', () => {
  it('sees the read-only banner and no editing affordances', async () => {
    await reader.getByTestId('readonly-banner').waitFor();
    expect(await reader.getByTestId('readonly-banner').textContent()).toContain('View only');
    expect(await reader.locator('[data-testid^="palette-"]').count()).toBe(0);
    expect(await reader.getByTestId('undo').count()).toBe(0);
  });

  it('sees who has access, read-only', async () => {
    const tab = await reader.context().newPage();
    await tab.goto(`${modelUrl}?tab=access`);
    // The table renders before the grants arrive: wait for the rows themselves.
    await tab.getByTestId('grant-row').nth(2).waitFor();
    expect(await tab.getByTestId('grant-row').count()).toBe(3);
    expect(await tab.getByTestId('grant-submit').count()).toBe(0);
    expect(await tab.locator('[data-testid="grant-list"] select').count()).toBe(0);
    await tab.close();
  });

  it("sees the writers' edits live", async () => {
    const count = await nodes(reader, 'actor').count();
    const started = Date.now();
    await owner.getByTestId('palette-actor').click();
    const latency = await timeUntilNodes(reader, 'actor', count + 1, started);
    console.log(`edit latency: owner→reader ${latency} ms`);
  });

  it('cannot change anything', async () => {
    const process = nodes(reader, 'process').first();
    const id = await cellId(process);
    // Flow coordinates (the node's transform), not screen ones: dragging a node that cannot
    // move pans the view instead, which is fine.
    const position = (page: Page) =>
      page.locator(`.svelte-flow__node[data-id="${id}"]`).evaluate((el) => el.style.transform);
    const before = await position(reader);
    const counts = async (page: Page) =>
      page.evaluate(() => document.querySelectorAll('.svelte-flow__node').length);
    const ownerCount = await counts(owner);

    await dragNode(reader, process, 150, 90);
    await process.click();
    await reader.keyboard.press('Delete');
    await reader.keyboard.press('p');
    await process.dblclick();
    expect(await reader.getByTestId('inline-label').count()).toBe(0);
    expect(await reader.getByTestId('prop-label').isDisabled()).toBe(true);

    // A marker edit by the owner arriving proves the reader's session is current, so anything
    // the reader did would have shown by now.
    await owner.getByTestId('palette-text-box').click();
    await reader.waitForSelector('[data-testid="node-text-box"]');
    expect(await position(reader)).toBe(before);
    expect(await position(owner)).toBe(before);
    expect(await counts(reader)).toBe(ownerCount + 1);
    expect(await counts(owner)).toBe(ownerCount + 1);
  });
});

describe('versions', () => {
  it('saves a version, changes the diagram, restores it, and both writers see the restored diagram', async () => {
    const count = () =>
      owner.evaluate(() => document.querySelectorAll('.svelte-flow__node').length);
    const saved = await count();

    await owner.getByTestId('side-versions').click();
    await owner.getByTestId('version-description').fill('Before the queue');
    await owner.getByTestId('save-version').click();
    const item = owner
      .locator('[data-testid="version-item"]')
      .filter({ hasText: 'Before the queue' });
    await item.waitFor();

    await addShape(owner, 'store');
    await addShape(owner, 'process');
    await writer.waitForFunction(
      (n) => document.querySelectorAll('.svelte-flow__node').length === n,
      saved + 2,
    );

    await item.getByTestId('preview-version').click();
    const preview = owner.getByTestId('version-preview');
    await preview.locator('.svelte-flow__node').first().waitFor();
    expect(await preview.locator('.svelte-flow__node').count()).toBe(saved);
    expect(await preview.locator('[data-testid^="palette-"]').count()).toBe(0);
    await owner.keyboard.press('Escape');
    await owner.getByTestId('preview-dialog').waitFor({ state: 'hidden' });

    await item.getByTestId('restore-version').click();
    // An in-app confirmation, focused on its action (not on ✕).
    await owner.locator('[data-testid="confirm-accept"]:focus').waitFor();
    await owner.keyboard.press('Enter');
    for (const page of [owner, writer, reader]) {
      await page.waitForFunction(
        (n) => document.querySelectorAll('.svelte-flow__node').length === n,
        saved,
        { timeout: 5000 },
      );
    }
  });
});
