import { expect } from 'vitest';
import type { TestResponse } from './http';

/**
 * Asserts an RFC 9457 problem response with `status` (and `code` when given), carrying the
 * request id every problem has (docs/api.md "Conventions").
 */
export function expectProblem(res: TestResponse, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(res.body.request_id).toEqual(expect.any(String));
  if (code) expect(res.body.code).toBe(code);
}
