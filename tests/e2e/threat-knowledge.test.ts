import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, createModel, signUp, waitForLive } from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/** Issue 12, acceptance 3–6: suggestions, live threat marks, mitigations, deletes, heat map. */
let server: RunningServer;
let chrome: E2eBrowser;
let ada: Page;
let grace: Page;
let tm = '';
let diagramId = '';
let diagramUrl = '';

const BROWSER = '00000000-0000-4000-8000-00000000b001';
const API = '00000000-0000-4000-8000-00000000b002';
const DB = '00000000-0000-4000-8000-00000000b003';
const HTTPS = '00000000-0000-4000-8000-00000000b004';
const SQL = '00000000-0000-4000-8000-00000000b005';
const BOUNDARY = '00000000-0000-4000-8000-00000000b006';

/** A REST call from inside the page: same origin, the session cookie, the browser's Origin. */
async function rest(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ([m, p, b]) => {
      const res = await fetch(p as string, {
        method: m as string,
        headers: b === undefined ? {} : { 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    [method, path, body] as const,
  );
}

const flowLabel = (page: Page, id: string) =>
  page.locator(`[data-testid="flow-label"][data-cell-id="${id}"]`);
const markOn = (page: Page, id: string) =>
  page.locator(`[data-cell-id="${id}"] [data-testid="threat-mark"]`);

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  ada = (await chrome.newUser()).page;
  grace = (await chrome.newUser()).page;
  const a = account('Ada Owner');
  const g = account('Grace Writer');
  await Promise.all([signUp(ada, server.url, a), signUp(grace, server.url, g)]);
  tm = await createModel(ada, server.url, 'Shop');
  const me = await rest(grace, 'GET', '/api/me');
  expect(
    (
      await rest(ada, 'PUT', `/api/threat_models/${tm}/access/user/${me.body.id}`, {
        role: 'writer',
      })
    ).status,
  ).toBe(201);
  const node = (id: string, shape: string, label: string, x: number, y: number) => ({
    id,
    shape,
    label,
    x,
    y,
    width: shape === 'actor' ? 110 : 130,
    height: shape === 'store' ? 60 : 70,
  });
  const created = await rest(ada, 'POST', `/api/threat_models/${tm}/diagrams`, {
    name: 'Checkout',
    type: 'DFD-1.0.0',
    cells: [
      { ...node(BOUNDARY, 'security-boundary', 'Data centre', 330, 60), width: 520, height: 240 },
      node(BROWSER, 'actor', 'Browser', 60, 150),
      node(API, 'process', 'API', 380, 140),
      node(DB, 'store', 'Database', 660, 150),
      {
        id: HTTPS,
        shape: 'flow',
        source: { cell: BROWSER },
        target: { cell: API },
        label: 'HTTPS',
      },
      {
        id: SQL,
        shape: 'flow',
        source: { cell: API, port: 'right' },
        target: { cell: DB, port: 'left' },
        label: 'SQL',
      },
    ],
  });
  expect(created.status).toBe(201);
  diagramId = created.body.id;
  diagramUrl = `${server.url}/models/${tm}/diagrams/${diagramId}`;
  await Promise.all([ada.goto(diagramUrl), grace.goto(diagramUrl)]);
  await Promise.all([waitForLive(ada), waitForLive(grace)]);
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('threat knowledge in the editor', () => {
  it('a flag ticked by one participant brings a suggestion to the other within 1 s; applying marks the flow for both', async () => {
    await flowLabel(grace, HTTPS).click();
    await flowLabel(ada, HTTPS).click();
    const suggestion = (page: Page) =>
      page.locator('[data-testid="suggestion"][data-rule-id="oat.flow.use-encryption"]');
    await ada.getByTestId('suggested-threats').waitFor();
    expect(await suggestion(ada).count()).toBe(0);

    await grace.getByTestId('prop-public-network').check();
    const started = Date.now();
    await suggestion(ada).waitFor({ timeout: 1000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1000);
    await suggestion(ada).scrollIntoViewIfNeeded();
    await ada.screenshot({ path: 'test-artifacts/threat-knowledge-suggestions-panel.png' });

    expect(await markOn(ada, HTTPS).count()).toBe(0);
    await suggestion(ada).getByTestId('add-suggestion').click();
    await Promise.all([markOn(ada, HTTPS).waitFor(), markOn(grace, HTTPS).waitFor()]);
    // Recorded: it leaves both panels.
    await suggestion(grace).waitFor({ state: 'detached' });
    await suggestion(ada).waitFor({ state: 'detached' });
  });

  it('a suggestion dismissed with a reason stays gone after a reload', async () => {
    const first = ada.getByTestId('suggestion').first();
    const rule = (await first.getAttribute('data-rule-id'))!;
    await first.getByTestId('dismiss-suggestion').click();
    await ada.getByTestId('dismiss-reason').fill('TLS terminates at the load balancer');
    await ada.getByTestId('confirm-dismiss').click();
    const gone = ada.locator(`[data-testid="suggestion"][data-rule-id="${rule}"]`);
    await gone.waitFor({ state: 'detached' });
    await ada.reload();
    await waitForLive(ada);
    await flowLabel(ada, HTTPS).click();
    await ada.getByTestId('suggested-threats').waitFor();
    expect(await gone.count()).toBe(0);
  });

  it('the diagram-wide review dialog groups by element and applies what is ticked', async () => {
    await ada.keyboard.press('Escape');
    await ada.getByTestId('suggest-diagram').click();
    const dialog = ada.getByTestId('suggest-dialog');
    await dialog.getByTestId('suggest-group').first().waitFor();
    const groups = await dialog.getByTestId('suggest-group').allInnerTexts();
    expect(groups.some((g) => g.includes('API (process)'))).toBe(true);
    expect(groups.some((g) => g.includes('API → Database (SQL)'))).toBe(true);
    await ada.screenshot({ path: 'test-artifacts/threat-knowledge-bulk-dialog.png' });
    const items = dialog.getByTestId('suggest-item');
    const total = await items.count();
    await items.first().uncheck();
    await dialog.getByTestId('suggest-apply').click();
    await dialog
      .getByTestId('suggest-added')
      .filter({ hasText: `Added ${total - 1}` })
      .waitFor();
    await ada.keyboard.press('Escape');
    await Promise.all([
      markOn(grace, SQL).waitFor(),
      markOn(grace, API).waitFor(),
      markOn(grace, DB).waitFor(),
    ]);
    await grace.keyboard.press('Escape');
    await grace.screenshot({ path: 'test-artifacts/threat-knowledge-marks-on-flows.png' });
  });

  it('setting a mitigation to implemented lowers current risk; REST and the canvas marks follow live', async () => {
    const listed = await rest(ada, 'GET', `/api/threat_models/${tm}/threats?cell_id=${HTTPS}`);
    const threats = listed.body.items as { id: string; risk: { current: { score: number } } }[];
    expect(threats.length).toBeGreaterThan(0);
    const mitigation = await rest(ada, 'POST', `/api/threat_models/${tm}/mitigations`, {
      name: 'TLS everywhere',
      status: 'proposed',
      risk_reduction: 90,
    });
    for (const t of threats) {
      await rest(
        ada,
        'PUT',
        `/api/threat_models/${tm}/threats/${t.id}/mitigations/${mitigation.body.id}`,
      );
    }
    const before = await markOn(ada, HTTPS).getAttribute('data-level');
    expect(before).not.toBe('settled');

    await grace.goto(`${server.url}/models/${tm}?tab=mitigations`);
    const row = grace.locator(
      `[data-testid="mitigation-row"][data-mitigation-id="${mitigation.body.id}"]`,
    );
    await row.getByTestId('mitigation-status').selectOption('implemented');
    // Every threat on the flow is answered by an implemented mitigation: grey, live.
    await ada
      .locator(`[data-cell-id="${HTTPS}"] [data-testid="threat-mark"][data-level="settled"]`)
      .waitFor();
    const after = await rest(ada, 'GET', `/api/threat_models/${tm}/threats?cell_id=${HTTPS}`);
    for (const t of after.body.items) {
      const was = threats.find((x) => x.id === t.id)!;
      expect(t.risk.current.score).toBeLessThan(was.risk.current.score);
      expect(t.mitigated).toBe(true);
    }
  });

  it('deletes a threat from the register and from the cell panel; a deleted cell leaves its threats unlinked', async () => {
    // From the register.
    await grace.goto(`${server.url}/models/${tm}?tab=threats`);
    await grace.getByTestId('threat-row').first().waitFor();
    await grace.getByTestId('threat-element').first().waitFor();
    await grace.screenshot({
      path: 'test-artifacts/threat-knowledge-register.png',
      fullPage: true,
    });
    const rows = await grace.getByTestId('threat-row').count();
    await grace.getByTestId('delete-threat').first().click();
    await grace.getByTestId('confirm-accept').click();
    await grace.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="threat-row"]').length === n - 1,
      rows,
    );
    // The register names the element; its link opens the editor on that cell.
    const element = grace.getByTestId('threat-element').filter({ hasText: 'API → Database (SQL)' });
    await element.first().click();
    await waitForLive(grace);
    await flowLabel(grace, SQL).and(grace.locator('.selected')).waitFor();

    // From the cell panel.
    const panelCount = () => ada.getByTestId('cell-threat').count();
    await ada.locator(`[data-testid="node-process"][data-cell-id="${API}"]`).click();
    await ada.getByTestId('cell-threat').first().waitFor();
    const n = await panelCount();
    await ada.getByTestId('delete-cell-threat').first().click();
    await ada.getByTestId('confirm-accept').click();
    await ada.waitForFunction(
      (k) => document.querySelectorAll('[data-testid="cell-threat"]').length === k - 1,
      n,
    );

    // Deleting the store: its threats stay, listed as unlinked.
    await ada.locator(`[data-testid="node-store"][data-cell-id="${DB}"]`).click();
    await ada.keyboard.press('Delete');
    await ada.getByTestId('confirm-accept').click();
    await ada.locator(`[data-cell-id="${DB}"]`).waitFor({ state: 'detached' });
    await grace.goto(`${server.url}/models/${tm}?tab=threats`);
    await grace.getByTestId('threat-unlinked').first().waitFor();
    await grace.getByTestId('threat-unlinked').first().scrollIntoViewIfNeeded();
    await grace.screenshot({ path: 'test-artifacts/threat-knowledge-unlinked.png' });
  });

  it('the risk heat map counts threats by likelihood × impact, inherent and current', async () => {
    await grace.goto(`${server.url}/models/${tm}?tab=risk`);
    const map = grace.getByTestId('risk-heat-map');
    await map.waitFor();
    await grace.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="heat-cell"]')).some(
        (c) => Number((c as HTMLElement).dataset.count) > 0,
      ),
    );
    const sum = async () =>
      grace.$$eval('[data-testid="heat-cell"]', (cells) =>
        cells.reduce((s, c) => s + Number((c as HTMLElement).dataset.count), 0),
      );
    const inherentHigh = await grace
      .locator('[data-testid="heat-cell"][data-likelihood="High"][data-impact="High"]')
      .getAttribute('data-count');
    const total = await sum();
    await grace.screenshot({ path: 'test-artifacts/threat-knowledge-heat-map.png' });
    await grace.getByTestId('heat-current').click();
    expect(await sum()).toBe(total);
    const currentHigh = await grace
      .locator('[data-testid="heat-cell"][data-likelihood="High"][data-impact="High"]')
      .getAttribute('data-count');
    expect(Number(currentHigh)).toBeLessThan(Number(inherentHigh));
    await grace.screenshot({ path: 'test-artifacts/threat-knowledge-heat-map-current.png' });
  });
});
