import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { account, createDiagram, createModel, signUp, waitForLive } from './support/app';
import { launchBrowser, type E2eBrowser } from './support/browser';
import { startServer, type RunningServer } from './support/server';

/** ISSUE 16, acceptance 3 (second half): invite an e-mail without an account; @-autocomplete. */
let server: RunningServer;
let chrome: E2eBrowser;
let owner: Page;
let invitee: Page;
const olga = account('Olga Owner');
const nina = account('Nina Newcomer');
let tm = '';
let diagramUrl = '';

beforeAll(async () => {
  [server, chrome] = await Promise.all([startServer(), launchBrowser()]);
  owner = (await chrome.newUser()).page;
  invitee = (await chrome.newUser()).page;
  await signUp(owner, server.url, olga);
  tm = await createModel(owner, server.url, 'Invoicing');
  await createDiagram(owner, 'Invoice flow');
  diagramUrl = owner.url();
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

it('grants writer to an e-mail without an account; that person signs up and has the model, notified', async () => {
  await owner.goto(`${server.url}/models/${tm}`);
  await owner.getByTestId('tab-access').click();
  await owner.getByTestId('principal-search').fill(nina.email);
  await owner.getByTestId('principal-invite').check();
  await owner.getByTestId('grant-role').selectOption('writer');
  await owner.getByTestId('grant-submit').click();
  const pending = owner.locator(`[data-testid="invitation-row"][data-principal="${nina.email}"]`);
  await pending.waitFor();
  expect(await pending.textContent()).toContain('Pending sign-up');
  await owner.screenshot({ path: 'test-artifacts/access-invitation-pending.png' });

  await signUp(invitee, server.url, nina);
  await invitee.getByTestId('model-link').filter({ hasText: 'Invoicing' }).click();
  await invitee.getByTestId('model-title').filter({ hasText: 'Invoicing' }).waitFor();
  await invitee.getByTestId('notifications-bell').click();
  await invitee
    .getByTestId('notification')
    .filter({ hasText: 'You were invited to “Invoicing” as writer' })
    .waitFor();

  // On the owner's side the invitation became a writer grant.
  await owner.reload();
  await owner.getByTestId('tab-access').click();
  await owner.locator(`[data-testid="grant-row"][data-principal="${nina.email}"]`).waitFor();
  expect(await owner.getByTestId('invitation-row').count()).toBe(0);
});

it('@-autocomplete offers the people with access and inserts a handle that notifies', async () => {
  await owner.goto(diagramUrl);
  await waitForLive(owner);
  await owner.getByTestId('comments-toggle').click();
  const input = owner.getByTestId('new-comment-input');
  await input.click();
  await input.pressSequentially('Can you check the totals, @Nin');
  const option = owner.getByTestId('mention-option').filter({ hasText: 'Nina Newcomer' });
  await option.waitFor();
  await owner.screenshot({ path: 'test-artifacts/mention-autocomplete.png' });
  await owner.keyboard.press('Enter');
  await owner.getByTestId('mention-menu').waitFor({ state: 'detached' });
  await input.pressSequentially('please?');
  const handle = nina.email.split('@')[0];
  expect(await input.inputValue()).toBe(`Can you check the totals, @${handle} please?`);
  await owner.getByTestId('new-comment-submit').click();
  await owner.getByTestId('comment-body').filter({ hasText: 'check the totals' }).waitFor();

  await invitee.reload();
  await invitee.getByTestId('notifications-bell').click();
  await invitee
    .getByTestId('notification')
    .filter({ hasText: 'Olga Owner mentioned you' })
    .waitFor();
});
