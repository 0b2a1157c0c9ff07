import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  account,
  addShape,
  connect,
  cellId,
  createDiagram,
  createModel,
  signUp,
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

it('renders the model list and the model page at 1280×800 (screenshots for review)', async () => {
  const { page } = await chrome.newUser();
  await signUp(page, server.url, account('Margaret Hamilton'));

  await page.getByTestId('empty-state').waitFor();
  await page.screenshot({ path: 'test-artifacts/list-empty.png' });

  for (const name of ['Identity provider', 'Mobile banking app']) {
    await createModel(page, server.url, name);
  }
  await createModel(page, server.url, 'Payments platform');
  await createDiagram(page, 'Card checkout');
  const actor = await addShape(page, 'actor');
  const process = await addShape(page, 'process');
  const store = await addShape(page, 'store');
  await connect(page, await cellId(actor), await cellId(process));
  await connect(page, await cellId(process), await cellId(store));
  await page.getByTestId('flow-label').nth(1).waitFor();
  await process.click({ position: { x: 30, y: 12 } });
  await page.screenshot({ path: 'test-artifacts/editor.png' });

  await page.goto(`${server.url}/`);
  await page.getByTestId('model-list').waitFor();
  await expect.poll(() => page.getByTestId('model-link').count()).toBe(3);
  await page.screenshot({ path: 'test-artifacts/model-list.png' });

  await page.getByTestId('model-link').filter({ hasText: 'Payments platform' }).click();
  await page.getByTestId('stat-diagrams').waitFor();
  await page.screenshot({ path: 'test-artifacts/model-page.png' });
  await page.getByTestId('tab-diagrams').click();
  await page.getByTestId('diagram-link').waitFor();
  await page.screenshot({ path: 'test-artifacts/model-page-diagrams.png' });

  // Threats: create one linked to a diagram element, then find it in the table.
  await page.getByTestId('tab-threats').click();
  await page.getByTestId('new-threat').click();
  await page.getByTestId('threat-name').fill('Card data stored unencrypted');
  await page.getByTestId('threat-severity').selectOption('High');
  await page.getByTestId('threat-diagram').selectOption({ label: 'Card checkout' });
  await page.getByTestId('threat-cell').selectOption({ label: 'Data store · store' });
  await page.getByTestId('threat-save').click();
  await page
    .getByTestId('threat-row')
    .filter({ hasText: 'Card data stored unencrypted' })
    .waitFor();
  await page.screenshot({ path: 'test-artifacts/model-page-threats.png' });

  // The register links to the element; the editor shows the threat on it.
  await page.getByTestId('threat-element').filter({ hasText: 'Data store' }).click();
  await page.locator('[data-testid="node-store"] .threats').waitFor();
  await page.getByTestId('node-store').click();
  await page
    .getByTestId('cell-threat')
    .filter({ hasText: 'Card data stored unencrypted' })
    .waitFor();

  // Activity lists what happened, with who did it.
  await page.goto(
    `${server.url}/models/${new URL(page.url()).pathname.split('/')[2]}?tab=activity`,
  );
  await page.getByTestId('activity').locator('li').first().waitFor();
  await page.screenshot({ path: 'test-artifacts/model-page-activity.png' });
});
