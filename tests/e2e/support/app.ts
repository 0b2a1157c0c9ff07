import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export interface Account {
  name: string;
  email: string;
  password: string;
}

let counter = 0;

/** A unique account for this run. */
export function account(name: string): Account {
  counter++;
  const slug = `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now().toString(36)}${counter}`;
  return { name, email: `${slug}@example.com`, password: 'correct horse battery' };
}

export async function signUp(page: Page, base: string, who: Account) {
  await page.goto(`${base}/signup`);
  await page.getByTestId('name').fill(who.name);
  await page.getByTestId('email').fill(who.email);
  await page.getByTestId('password').fill(who.password);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('current-user').waitFor();
}

/** Creates a threat model from the list page and returns its id (on its page). */
export async function createModel(page: Page, base: string, name: string): Promise<string> {
  await page.goto(`${base}/`);
  await page.getByTestId('new-model').click();
  await page.getByTestId('model-name').fill(name);
  await page.getByTestId('create-model-submit').click();
  await page.getByTestId('model-title').filter({ hasText: name }).waitFor();
  return new URL(page.url()).pathname.split('/')[2]!;
}

/** Creates a diagram from the model page's Diagrams tab; ends in the editor, connected. */
export async function createDiagram(page: Page, name: string): Promise<string> {
  await page.getByTestId('tab-diagrams').click();
  await page.getByTestId('diagram-name').fill(name);
  await page.getByTestId('create-diagram').click();
  await waitForLive(page);
  return new URL(page.url()).pathname.split('/')[4]!;
}

/** Waits until the editor's live session is connected and synced. */
export async function waitForLive(page: Page) {
  await page
    .locator('[data-testid="connection"][data-state="connected"][data-synced="true"]')
    .waitFor();
}

export const nodes = (page: Page, shape: string) => page.locator(`[data-testid="node-${shape}"]`);
export const flows = (page: Page) => page.getByTestId('flow-label');

/** Adds a shape with the palette; returns the new node (selected, so it is the last one). */
export async function addShape(page: Page, shape: string): Promise<Locator> {
  const before = await nodes(page, shape).count();
  await page.getByTestId(`palette-${shape}`).click();
  await page.waitForFunction(
    ([s, n]) => document.querySelectorAll(`[data-testid="node-${s}"]`).length > Number(n),
    [shape, before] as const,
  );
  const added = nodes(page, shape).nth(before);
  // The editor scrolls a node placed off-screen into view; wait until it is shown whole.
  await waitForViewportStill(page);
  await page.waitForFunction(
    ([s, n]) => {
      const node = document.querySelectorAll(`[data-testid="node-${s}"]`)[Number(n)];
      const canvas = document.querySelector('[data-testid="canvas"]');
      if (!node || !canvas) return false;
      const a = node.getBoundingClientRect();
      const c = canvas.getBoundingClientRect();
      return a.left >= c.left && a.top >= c.top && a.right <= c.right && a.bottom <= c.bottom;
    },
    [shape, before] as const,
  );
  return added;
}

/** Drags a node by its centre by (dx, dy) screen pixels. */
export async function dragNode(page: Page, node: Locator, dx: number, dy: number) {
  const box = (await node.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 5 });
  await page.mouse.move(x + dx, y + dy, { steps: 5 });
  await page.mouse.up();
}

/**
 * Waits until the canvas viewport has stopped moving (e.g. after an animated fit to view,
 * which starts a frame or two after it is asked for): unchanged over ten frames.
 */
export async function waitForViewportStill(page: Page) {
  await page.waitForFunction(async () => {
    const viewport = document.querySelector('.svelte-flow__viewport') as HTMLElement | null;
    if (!viewport) return false;
    const before = viewport.style.transform;
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      if (viewport.style.transform !== before) return false;
    }
    return true;
  });
}

/** Draws a flow from `from`'s right handle to `to`'s left handle. */
export async function connect(page: Page, from: string, to: string) {
  // Nothing selected: a selected node's resize controls must not catch the drag.
  await page.keyboard.press('Escape');
  await waitForViewportStill(page);
  const handle = (cell: string, side: string) =>
    page.locator(`.svelte-flow__handle[data-nodeid="${cell}"][data-handleid="${side}"]`);
  const a = (await handle(from, 'right').boundingBox())!;
  const b = (await handle(to, 'left').boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

export const cellId = async (node: Locator) => (await node.getAttribute('data-cell-id'))!;

/**
 * A JSON API call as the page's signed-in user (same origin, so the CSRF check passes); a
 * non-2xx answer fails the test with its body. 204 gives null.
 */
export async function apiCall(
  page: Page,
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown,
) {
  const res = await page.request.fetch(`${base}${path}`, {
    method,
    headers: {
      origin: base,
      ...(method === 'PATCH' ? { 'content-type': 'application/json-patch+json' } : {}),
    },
    ...(data === undefined ? {} : { data }),
  });
  expect(res.ok(), `${method} ${path}: ${await res.text()}`).toBe(true);
  return res.status() === 204 ? null : res.json();
}
