import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  account,
  addShape,
  cellId,
  createDiagram,
  createModel,
  signUp,
  waitForLive,
} from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/** ISSUE 6, acceptance 3: a reviewer's comment in a live session, answered by the writer. */
let server: RunningServer;
let chrome: E2eBrowser;
let writer: Page;
let reviewer: Page;
const wanda = account('Wanda Writer');
const rita = account('Rita Reviewer');
let tm = '';
let diagramUrl = '';
let cell = '';

const QUESTION = 'Is the card number logged anywhere on this path?';
const ANSWER = 'No: the gateway tokenises it before it reaches Orders.';

/** A JSON call as the page's signed-in user (same origin, so the CSRF check passes). */
async function call(page: Page, method: 'GET' | 'PUT', path: string, data?: unknown) {
  const res = await page.request.fetch(`${server.url}${path}`, {
    method,
    headers: { origin: server.url },
    ...(data === undefined ? {} : { data }),
  });
  expect(res.ok(), `${method} ${path}: ${await res.text()}`).toBe(true);
  return res.json();
}

const pin = (page: Page) => page.locator(`[data-cell-id="${cell}"] [data-testid="comment-pin"]`);
const thread = (page: Page) => page.getByTestId('comment-thread').filter({ hasText: QUESTION });

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  writer = (await chrome.newUser()).page;
  reviewer = (await chrome.newUser()).page;
  await Promise.all([signUp(writer, server.url, wanda), signUp(reviewer, server.url, rita)]);

  tm = await createModel(writer, server.url, 'Card payments');
  await createDiagram(writer, 'Checkout');
  diagramUrl = writer.url();
  cell = await cellId(await addShape(writer, 'process'));

  const me = await call(reviewer, 'GET', '/api/me');
  await call(writer, 'PUT', `/api/threat_models/${tm}/access/user/${me.id}`, { role: 'reviewer' });
  await reviewer.goto(diagramUrl);
  await waitForLive(reviewer);
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

it('a reviewer comments on a cell; the writer sees pin and thread live, replies and resolves; the reviewer sees both', async () => {
  // A marker on the window: it survives only if the writer's page is never reloaded.
  await writer.evaluate(() => Object.assign(window, { __sameDocument: true }));

  // The reviewer (view only) opens the comments panel and comments on the process.
  await reviewer.getByTestId('readonly-banner').waitFor();
  await reviewer.locator(`[data-cell-id="${cell}"]`).waitFor();
  await reviewer.getByTestId('comments-toggle').click();
  const panel = reviewer.getByTestId('comments-panel');
  await panel.getByTestId('comment-anchor').selectOption(cell);
  await panel.getByTestId('new-comment-input').fill(QUESTION);
  await panel.getByTestId('new-comment-submit').click();
  await thread(reviewer).waitFor();

  // The writer's editor, open all along, shows the pin with one unresolved thread: no reload.
  await pin(writer).and(writer.locator('[data-unresolved="1"]')).waitFor({ timeout: 5_000 });
  expect(await writer.getByTestId('comments-toggle-count').textContent()).toBe('1');
  await pin(writer).click();
  const writerPanel = writer.getByTestId('comments-panel');
  await thread(writer).waitFor();
  expect(await writerPanel.getByTestId('comment-group').first().getAttribute('data-cell-id')).toBe(
    cell,
  );
  await writer.screenshot({ path: 'test-artifacts/review-comments-writer-pin.png' });

  // The writer replies and resolves.
  await thread(writer).getByTestId('reply-open').click();
  await thread(writer).getByTestId('reply-input').fill(ANSWER);
  await thread(writer).getByTestId('reply-submit').click();
  await thread(writer).getByText(ANSWER).waitFor();
  await thread(writer).getByTestId('thread-resolve').click();
  await writer.locator('[data-testid="comment-thread"][data-resolved="true"]').waitFor();
  await pin(writer).and(writer.locator('[data-unresolved="0"]')).waitFor();

  // The reviewer sees the reply and the resolution live, and a reply notification.
  const resolved = reviewer.locator('[data-testid="comment-thread"][data-resolved="true"]');
  await resolved.filter({ hasText: ANSWER }).waitFor({ timeout: 5_000 });
  expect(await resolved.getByTestId('comment-body').allTextContents()).toEqual([QUESTION, ANSWER]);
  await pin(reviewer).and(reviewer.locator('[data-unresolved="0"]')).waitFor();
  await reviewer.getByTestId('filter-unresolved').check();
  await reviewer.getByTestId('comments-empty').waitFor();
  await reviewer.getByTestId('filter-unresolved').uncheck();
  await reviewer.getByTestId('notifications-bell').click();
  await reviewer
    .getByTestId('notification')
    .filter({ hasText: 'Wanda Writer replied to your comment' })
    .waitFor();

  expect(await writer.evaluate(() => '__sameDocument' in window)).toBe(true);
  await writer.screenshot({ path: 'test-artifacts/review-comments-writer.png' });
  await reviewer.screenshot({ path: 'test-artifacts/review-comments-reviewer.png' });
});
