import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  account,
  addShape,
  cellId,
  createDiagram,
  createModel,
  nodes,
  signUp,
  waitForLive,
  apiCall,
} from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/** ISSUE 16 (canvas): copy and paste across diagrams, optionally with the cells' threats. */
let server: RunningServer;
let chrome: E2eBrowser;
let page: Page;
let tm = '';

const call = (method: Parameters<typeof apiCall>[2], path: string, data?: unknown) =>
  apiCall(page, server.url, method, path, data);

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  page = (await chrome.newUser()).page;
  await signUp(page, server.url, account('Pia Paste'));
  tm = await createModel(page, server.url, 'Shop');
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

it('copies a process with its threat from one diagram and pastes both into another', async () => {
  const first = await createDiagram(page, 'Checkout');
  const firstUrl = page.url();
  const process = await addShape(page, 'process');
  const source = await cellId(process);
  const threat = await call('POST', `/api/threat_models/${tm}/threats`, {
    name: 'Tampered basket totals',
    severity: 'High',
    diagram_id: first,
    cell_id: source,
  });
  const signing = await call('POST', `/api/threat_models/${tm}/mitigations`, {
    name: 'Sign the basket',
    status: 'proposed',
    risk_reduction: 50,
  });
  await call('PUT', `/api/threat_models/${tm}/threats/${threat.id}/mitigations/${signing.id}`);
  await page.reload();
  await waitForLive(page);
  await nodes(page, 'process').first().click();
  await page.keyboard.press('Control+C');

  await page.goto(`${server.url}/models/${tm}?tab=diagrams`);
  const second = await createDiagram(page, 'Fulfilment');
  await page.getByTestId('canvas').click({ position: { x: 400, y: 300 } });
  await page.keyboard.press('Control+V');
  await nodes(page, 'process').first().waitFor();
  const pasted = await cellId(nodes(page, 'process').first());
  expect(pasted).not.toBe(source);

  const offer = page.getByTestId('paste-threats-offer');
  await offer.filter({ hasText: '1 threat' }).waitFor();
  await page.screenshot({ path: 'test-artifacts/paste-threats-offer.png' });
  await page.getByTestId('paste-threats-copy').click();
  await offer.filter({ hasText: 'Copied 1 threat' }).waitFor();
  await nodes(page, 'process')
    .first()
    .getByTestId('threat-mark')
    .filter({ hasText: '1' })
    .waitFor();

  const copied = await call('GET', `/api/threat_models/${tm}/threats?diagram_id=${second}`);
  expect(copied.items).toEqual([
    expect.objectContaining({
      name: 'Tampered basket totals',
      severity: 'High',
      cell_id: pasted,
      cell_ids: [pasted],
      // The same model: the copy is answered by the same mitigation.
      mitigation_ids: [signing.id],
    }),
  ]);
  // The original keeps its own threat; nothing was moved.
  const original = await call('GET', `/api/threat_models/${tm}/threats?diagram_id=${first}`);
  expect(original.items.map((t: any) => t.cell_id)).toEqual([source]);

  // Pasting into the same diagram it came from offers nothing: the threats are already there.
  await page.goto(firstUrl);
  await waitForLive(page);
  await page.getByTestId('canvas').click({ position: { x: 500, y: 400 } });
  await page.keyboard.press('Control+V');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="node-process"]').length === 2,
  );
  expect(await offer.count()).toBe(0);
});
