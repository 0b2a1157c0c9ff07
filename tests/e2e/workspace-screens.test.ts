import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  account,
  addShape,
  cellId,
  connect,
  createDiagram,
  createModel,
  signUp,
  waitForLive,
  waitForViewportStill,
  apiCall,
} from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/**
 * ISSUE 16, acceptance 3 (teams), 4 (diagram rename/duplicate, model archive/delete), 5
 * (axe-core on every screen, light and dark) and 6 (screenshots).
 */
let server: RunningServer;
let chrome: E2eBrowser;
let owner: Page;
let member: Page;
const olga = account('Olga Owner');
const mo = account('Mo Member');
const pat = account('Pat Passerby');
let tm = '';
let diagramUrl = '';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's CSP does not govern (a script tag would be blocked).
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: object) => Promise<any> } }).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return (result.violations as any[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .slice(0, 3)
            .map((n: any) => `${n.target.join(' ')} — ${n.failureSummary}`)
            .join(' | ')}`,
      );
  });
  return violations;
}

const call = (page: Page, method: Parameters<typeof apiCall>[2], path: string, data?: unknown) =>
  apiCall(page, server.url, method, path, data);

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  owner = (await chrome.newUser()).page;
  member = (await chrome.newUser()).page;
  const passerby = (await chrome.newUser()).page;
  await Promise.all([
    signUp(owner, server.url, olga),
    signUp(member, server.url, mo),
    signUp(passerby, server.url, pat),
  ]);
  await passerby.close();
  tm = await createModel(owner, server.url, 'Card payments');
  await createDiagram(owner, 'Checkout');
  diagramUrl = owner.url();
  const web = await addShape(owner, 'process');
  const db = await addShape(owner, 'store');
  await connect(owner, await cellId(web), await cellId(db));
  await connect(owner, await cellId(db), await cellId(web));
  await call(owner, 'POST', `/api/threat_models/${tm}/threats`, {
    name: 'SQL injection',
    diagram_id: new URL(diagramUrl).pathname.split('/')[4],
    cell_id: await cellId(db),
  });
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('diagrams and models', () => {
  it('shows a thumbnail per diagram, renames and duplicates (with threats) a diagram', async () => {
    await owner.goto(`${server.url}/models/${tm}?tab=diagrams`);
    const card = owner.getByTestId('diagram-card').first();
    await card.locator('[data-testid="diagram-thumbnail"][data-cells="4"]').waitFor();
    expect(await card.locator('[data-testid="diagram-thumbnail"] rect').count()).toBeGreaterThan(1);

    await card.getByTestId('diagram-rename').click();
    // The rename field has the focus: typing replaces the name.
    await owner.locator('[data-testid="diagram-rename-input"]:focus').waitFor();
    await owner.keyboard.press('Control+A');
    await owner.keyboard.type('Checkout (card)');
    await owner.keyboard.press('Enter');
    await owner.getByTestId('diagram-link').filter({ hasText: 'Checkout (card)' }).waitFor();

    await card.getByTestId('diagram-duplicate').click();
    const dialog = owner.getByTestId('duplicate-dialog');
    await owner.locator('[data-testid="copy-name"]:focus').waitFor();
    expect(await dialog.getByTestId('copy-name').inputValue()).toBe('Checkout (card) (copy)');
    expect(await dialog.getByTestId('copy-with-threats').isChecked()).toBe(true);
    await dialog.getByTestId('copy-submit').click();
    await owner.getByTestId('diagram-link').filter({ hasText: 'Checkout (card) (copy)' }).waitFor();
    expect(await owner.getByTestId('diagram-card').count()).toBe(2);
    const copyId = await owner
      .getByTestId('diagram-card')
      .filter({ hasText: '(copy)' })
      .getAttribute('data-diagram-id');
    const threats = await call(
      owner,
      'GET',
      `/api/threat_models/${tm}/threats?diagram_id=${copyId}`,
    );
    expect(threats.items.map((t: { name: string }) => t.name)).toEqual(['SQL injection']);
    await owner.screenshot({ path: 'test-artifacts/workspace-diagram-cards.png' });
  });

  it('archives a model (owner, confirmed) and deletes another', async () => {
    await owner.goto(`${server.url}/models/${tm}`);
    await owner.getByTestId('model-archive').click();
    await owner.getByTestId('confirm-accept').click();
    await owner.getByTestId('model-unarchive').waitFor();
    const model = await call(owner, 'GET', `/api/threat_models/${tm}`);
    expect(model.status).toBe('archived');
    await owner.getByTestId('model-unarchive').click();
    await owner.getByTestId('confirm-accept').click();
    await owner.getByTestId('model-archive').waitFor();

    const scratch = await createModel(owner, server.url, 'Scratch model');
    await owner.getByTestId('model-delete').click();
    await owner.getByTestId('confirm-cancel').click();
    expect((await call(owner, 'GET', `/api/threat_models/${scratch}`)).id).toBe(scratch);
    await owner.getByTestId('model-delete').click();
    await owner.getByTestId('confirm-accept').click();
    await owner.waitForURL(`${server.url}/`);
    const gone = await owner.request.get(`${server.url}/api/threat_models/${scratch}`);
    expect(gone.status()).toBe(404);
  });
});

describe('teams', () => {
  it('creates a team, adds and removes members, makes a lead; shares a model with it; a member opens it', async () => {
    await owner.goto(`${server.url}/teams`);
    await owner.getByTestId('team-name').fill('Payments security');
    await owner.getByTestId('team-create').click();
    const detail = owner.getByTestId('team-detail');
    await detail.getByRole('heading', { name: 'Payments security' }).waitFor();

    for (const who of [mo, pat]) {
      await owner.getByTestId('member-search').fill(who.email);
      await owner.getByTestId('member-add').first().click();
      await detail.getByTestId('team-member').filter({ hasText: who.name }).waitFor();
    }
    const moRow = detail.getByTestId('team-member').filter({ hasText: mo.name });
    await moRow.getByTestId('member-role').selectOption('lead');
    await owner
      .getByTestId('teams-notice')
      .filter({ hasText: 'Mo Member is now a lead' })
      .waitFor();
    const patRow = detail.getByTestId('team-member').filter({ hasText: pat.name });
    await patRow.getByTestId('member-remove').click();
    await owner.getByTestId('confirm-accept').click();
    await patRow.waitFor({ state: 'detached' });
    expect(await detail.getByTestId('team-member').count()).toBe(2);
    await owner.setViewportSize({ width: 1280, height: 800 });
    await owner.screenshot({ path: 'test-artifacts/workspace-teams.png' });

    // Share the model with the team from the Access tab.
    await owner.goto(`${server.url}/models/${tm}?tab=access`);
    await owner.getByTestId('principal-kind').selectOption('team');
    await owner.getByLabel('Team', { exact: true }).selectOption({ label: 'Payments security' });
    await owner.getByTestId('grant-role').selectOption('writer');
    await owner.getByTestId('grant-submit').click();
    await owner
      .locator('[data-testid="grant-row"]')
      .filter({ hasText: 'Payments security' })
      .waitFor();

    // Mo, a member, opens it and can edit the diagram.
    await member.goto(diagramUrl);
    await waitForLive(member);
    await member.getByTestId('palette-process').waitFor();
    expect(await member.getByTestId('readonly-banner').count()).toBe(0);
  });
});

describe('accessibility and looks', () => {
  const screens = () => [
    ['model list', `${server.url}/`, 'model-title-list'],
    ['model page', `${server.url}/models/${tm}`, 'model-title'],
    ['editor (comments open)', diagramUrl, 'editor'],
    ['teams screen', `${server.url}/teams`, 'teams'],
  ];

  async function show(page: Page, name: string, url: string) {
    await page.goto(url);
    if (name.startsWith('editor')) {
      await waitForLive(page);
      await page.getByTestId('comments-toggle').click();
      await page.getByTestId('comments-panel').waitFor();
      await waitForViewportStill(page);
    } else if (name === 'teams screen') {
      await page.getByTestId('team-item').first().click();
      await page.getByTestId('team-member').first().waitFor();
    } else if (name === 'model page') {
      await page.getByTestId('model-title').waitFor();
    } else {
      await page.getByText('Card payments').first().waitFor();
    }
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`axe-core: 0 serious or critical violations on every screen, ${scheme} theme (following the system)`, async () => {
      await owner.setViewportSize({ width: 1280, height: 800 });
      await owner.emulateMedia({ colorScheme: scheme });
      const found: string[] = [];
      for (const [name, url] of screens()) {
        await show(owner, name!, url!);
        expect(await owner.evaluate(() => document.documentElement.dataset.theme)).toBe(scheme);
        for (const v of await seriousViolations(owner)) found.push(`${name}: ${v}`);
      }
      expect(found).toEqual([]);
    });
  }

  it('screenshots: editor at 1440×900 and 1024×768 (details collapsed), dark theme, parallel flows', async () => {
    await owner.emulateMedia({ colorScheme: 'light' });
    await owner.setViewportSize({ width: 1440, height: 900 });
    await owner.goto(diagramUrl);
    await waitForLive(owner);
    await waitForViewportStill(owner);
    // Two flows between the same pair (one each way) are drawn apart, each label visible.
    const labels = owner.getByTestId('flow-label');
    expect(await labels.count()).toBe(2);
    const [a, b] = [(await labels.nth(0).boundingBox())!, (await labels.nth(1).boundingBox())!];
    const overlap =
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    expect(overlap).toBe(false);
    await owner.screenshot({ path: 'test-artifacts/editor-1440x900.png' });

    await owner.setViewportSize({ width: 1024, height: 768 });
    await owner.getByTestId('comments-toggle').click();
    await owner.getByTestId('details-toggle').click();
    await owner.locator('#details-panel').waitFor({ state: 'hidden' });
    await owner.keyboard.press('Escape');
    await owner.getByTestId('canvas').focus();
    await owner.keyboard.press('Shift+1');
    await waitForViewportStill(owner);
    // Fit to view keeps every shape clear of the palette and the minimap.
    const clear = await owner.evaluate(() => {
      const palette = document
        .querySelector('.svelte-flow__panel.top.left')!
        .getBoundingClientRect();
      const minimap = document.querySelector('.svelte-flow__minimap')!.getBoundingClientRect();
      const hit = (r: DOMRect, o: DOMRect) =>
        r.left < o.right && o.left < r.right && r.top < o.bottom && o.top < r.bottom;
      return Array.from(document.querySelectorAll('.svelte-flow__node')).every((n) => {
        const r = n.getBoundingClientRect();
        return !hit(r, palette) && !hit(r, minimap);
      });
    });
    expect(clear).toBe(true);
    const canvasWidth = (await owner.getByTestId('canvas').boundingBox())!.width;
    expect(canvasWidth).toBeGreaterThan(600);
    await owner.screenshot({ path: 'test-artifacts/editor-1024x768-collapsed.png' });

    // The header toggle overrides the system setting.
    await owner.setViewportSize({ width: 1440, height: 900 });
    await owner.getByTestId('details-toggle').click();
    await owner.getByTestId('theme-toggle').click();
    expect(await owner.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await waitForViewportStill(owner);
    await owner.screenshot({ path: 'test-artifacts/editor-dark.png' });
    await owner.getByTestId('theme-toggle').click();
    expect(await owner.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });
});
