import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

it('serves a valid OpenAPI 3.1 document that covers every route', async () => {
  const res = await ctx.anonymous().get('/api/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  const result = await validate(structuredClone(res.body));
  expect(result.valid ? [] : result.errors).toEqual([]);
  for (const path of [
    '/api/auth/signup',
    '/api/auth/login',
    '/api/me',
    '/api/me/tokens/{id}',
    '/api/health',
  ]) {
    expect(Object.keys(res.body.paths)).toContain(path);
  }
});

it('serves interactive docs', async () => {
  const res = await ctx.anonymous().get('/api/docs');
  expect(res.status).toBe(200);
  expect(res.contentType).toContain('text/html');
});
