import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, signUp, waitForLive, waitForViewportStill } from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/** ISSUE 13, acceptance 6: drop a fixture on the list → the model opens with its report; Export → PNG. */
let server: RunningServer;
let chrome: E2eBrowser;
let page: Page;
const FIXTURE = join(__dirname, '../fixtures/threat-dragon/v2-threat-model.json');

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  page = (await chrome.newUser()).page;
  await signUp(page, server.url, account('Ida Importer'));
}, 120_000);
afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('import and export in the browser', () => {
  it('a Threat Dragon file dropped on the list opens as a model with its fidelity report', async () => {
    await page.goto(`${server.url}/`);
    await page.getByTestId('model-list').waitFor();
    const text = readFileSync(FIXTURE, 'utf8');
    await page.evaluate((content) => {
      const data = new DataTransfer();
      data.items.add(new File([content], 'v2-threat-model.json', { type: 'application/json' }));
      const target = document.querySelector('[data-testid="model-list"]')!;
      target.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
      target.dispatchEvent(
        new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
    }, text);
    await page.getByTestId('model-title').filter({ hasText: 'Demo Threat Model' }).waitFor();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    expect(await report.textContent()).toContain('Threat Dragon v2');
    expect(await page.getByTestId('import-mapped').textContent()).toMatch(/14\s+threats/);
    expect(await page.getByTestId('import-skipped').textContent()).toContain('Web Request');
    await page.screenshot({ path: 'test-artifacts/import-report.png' });
  });

  it('the Import button takes an OTM file; the model page exports and opens the report in a new tab', async () => {
    await page.goto(`${server.url}/`);
    await page
      .getByTestId('import-input')
      .setInputFiles(join(__dirname, '../fixtures/threat-dragon/otm/mobile-cloud.otm.json'));
    await page.getByTestId('import-report').filter({ hasText: 'Open Threat Model' }).waitFor();
    expect(await page.getByTestId('import-mapped').textContent()).toMatch(/43\s+mitigations/);
    await page.getByTestId('export-menu').click();
    const [report] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByTestId('export-report').click(),
    ]);
    await report.waitForLoadState();
    expect(await report.locator('h1').textContent()).toBe('mtmt_project_name');
    expect(await report.locator('svg').count()).toBeGreaterThan(0);
    await report.close();
    await page.getByTestId('import-report-close').click();
    expect(await page.getByTestId('import-report').count()).toBe(0);
  });

  it('Export → PNG in the editor downloads an image of the diagram', async () => {
    const list = await page.request.get(`${server.url}/api/threat_models?q=Demo`);
    const tm = (await list.json()).items[0].id;
    const res = await page.request.get(`${server.url}/api/threat_models/${tm}/diagrams`);
    const diagram = (await res.json()).items[0];
    await page.goto(`${server.url}/models/${tm}/diagrams/${diagram.id}`);
    await waitForLive(page);
    expect(await page.getByTestId('boundary-line').count()).toBe(3);
    await page.screenshot({ path: 'test-artifacts/import-editor-boundary-lines.png' });
    // A boundary line is selected by a click on it and deleted like any cell.
    await waitForViewportStill(page);
    // The line whose midpoint nothing covers (a node or a flow label may lie over another's):
    // the order of the lines is the live document's, so find it rather than take the first.
    const target = await page.evaluate(() => {
      for (const group of Array.from(document.querySelectorAll('[data-testid="boundary-line"]'))) {
        const path = group.querySelector('path.hit') as SVGPathElement | null;
        if (!path) continue;
        const p = path.getPointAtLength(path.getTotalLength() / 2);
        const m = path.getScreenCTM()!;
        const x = p.x * m.a + p.y * m.c + m.e;
        const y = p.x * m.b + p.y * m.d + m.f;
        if (group.contains(document.elementFromPoint(x, y)))
          return { id: group.getAttribute('data-id'), x, y };
      }
      return null;
    });
    expect(target).not.toBeNull();
    const id = target!.id;
    const hit = { x: target!.x, y: target!.y };
    const line = page.locator(`[data-testid="boundary-line"][data-id="${id}"]`);
    const box = (await line.locator('path.line').boundingBox())!;
    expect(box.width + box.height).toBeGreaterThan(0);
    await page.mouse.click(hit.x, hit.y);
    await page.getByText('Trust boundary (line)').waitFor();
    await page.keyboard.press('Delete');
    await page.waitForFunction((lineId) => !document.querySelector(`[data-id="${lineId}"]`), id);
    expect(await page.getByTestId('boundary-line').count()).toBe(2);
    await page.getByTestId('export-menu').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-png').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const path = await download.path();
    const bytes = readFileSync(path);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(10_000);
  });
});
