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
  apiCall,
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

const call = (page: Page, method: Parameters<typeof apiCall>[2], path: string, data?: unknown) =>
  apiCall(page, server.url, method, path, data);

/** The cell on the canvas (the comments panel's groups carry data-cell-id too). */
const node = (page: Page) => page.locator(`[data-testid^="node-"][data-cell-id="${cell}"]`);
const pin = (page: Page) => node(page).getByTestId('comment-pin');
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
  await node(reviewer).waitFor();
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

  // The writer deletes the cell: its thread stays, shown as detached, and the pin goes.
  await reviewer.keyboard.press('Escape');
  await node(writer).click();
  await writer.keyboard.press('Delete');
  // It carries a thread: the editor asks first, naming it.
  await writer.getByTestId('confirm-details').getByText('1 comment thread').waitFor();
  await writer.getByTestId('confirm-accept').click();
  await reviewer
    .locator('[data-testid="comment-group"]')
    .filter({ hasText: 'detached' })
    .getByText(QUESTION)
    .waitFor();
  expect(await pin(reviewer).count()).toBe(0);
  expect(await reviewer.getByTestId('comment-anchor').inputValue()).toBe('');
  await reviewer.screenshot({ path: 'test-artifacts/review-comments-detached.png' });
});

it('a writer requests review from the reviewer, who requests changes on the model page and comments on a threat', async () => {
  const threat = await call(writer, 'POST', `/api/threat_models/${tm}/threats`, {
    name: 'Card data in logs',
  });

  // The writer sends the model for review, naming the reviewer from the model's grants.
  await writer.goto(`${server.url}/models/${tm}`);
  const control = writer.getByTestId('review-status');
  await control.getByTestId('review-request').click();
  const request = writer.getByTestId('review-request-dialog');
  await request.getByLabel('Rita Reviewer').check();
  await request.getByLabel('Note').fill('Ready for a first pass.');
  await request.getByRole('button', { name: 'Send for review' }).click();
  await control.getByText('In review').first().waitFor();

  // The reviewer follows the notification to the model and requests changes.
  await reviewer.goto(`${server.url}/models/${tm}`);
  await reviewer.getByTestId('notifications-bell').click();
  await reviewer
    .getByTestId('notification')
    .filter({ hasText: 'Wanda Writer asked you to review Card payments' })
    .locator('.item')
    .click();
  const reviewerControl = reviewer.getByTestId('review-status');
  await reviewerControl.getByTestId('review-changes').click();
  // A reviewer signs off; only an owner approves.
  expect(await reviewerControl.getByTestId('review-approve').textContent()).toBe('Sign off');
  const decision = reviewer.getByTestId('review-decision-dialog');
  await decision.getByRole('textbox').fill('Say where card data is tokenised.');
  await decision.getByRole('button', { name: 'Request changes' }).click();
  await reviewerControl
    .getByTestId('review-decision')
    .filter({ hasText: 'Changes requested by Rita Reviewer' })
    .waitFor();
  await reviewerControl.getByText('Say where card data is tokenised.').waitFor();
  expect(await reviewer.getByTestId('model-title').textContent()).toBe('Card payments');
  await reviewer.screenshot({ path: 'test-artifacts/review-status-reviewer.png' });

  // From the threats table, the reviewer comments on a threat.
  await reviewer.getByTestId('tab-threats').click();
  await reviewer.getByRole('button', { name: `Comments on ${threat.name}` }).click();
  const dialog = reviewer.getByTestId('threat-comments');
  await dialog.getByTestId('threat-comment-input').fill('Which log sinks were checked?');
  await dialog.getByTestId('threat-comment-submit').click();
  await dialog
    .getByTestId('comment-thread')
    .filter({ hasText: 'Which log sinks were checked?' })
    .waitFor();
  await reviewer.screenshot({ path: 'test-artifacts/review-threat-comments.png' });
  const stored = await call(
    writer,
    'GET',
    `/api/threat_models/${tm}/comments?threat_id=${threat.id}`,
  );
  expect(stored.items.map((c: { body: string }) => c.body)).toEqual([
    'Which log sinks were checked?',
  ]);
});
