import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
}

let ctx: TestContext;
let doc: {
  tags?: { name: string; description?: string }[];
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { securitySchemes?: Record<string, unknown> };
};
let operations: { where: string; op: Operation }[];

beforeAll(async () => {
  ctx = await createTestContext();
  const res = await ctx.anonymous().get('/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((m) =>
      item[m] ? [{ where: `${m.toUpperCase()} ${path}`, op: item[m]! }] : [],
    ),
  );
});
afterAll(() => ctx.close());

describe('every operation of /api/openapi.json', () => {
  it('has an operationId that is camelCase (verb + noun) and unique', () => {
    expect(operations.length).toBeGreaterThan(100);
    const bad = operations.filter(
      ({ op }) => !/^[a-z][a-z]*[A-Z][A-Za-z]*$/.test(op.operationId ?? ''),
    );
    expect(bad.map((o) => `${o.where}: ${o.op.operationId}`)).toEqual([]);
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const { where, op } of operations) {
      const first = seen.get(op.operationId!);
      if (first) duplicates.push(`${op.operationId}: ${first} and ${where}`);
      seen.set(op.operationId!, where);
    }
    expect(duplicates).toEqual([]);
  });

  it('has a summary and a description', () => {
    const bad = operations.filter(({ op }) => !op.summary?.trim() || !op.description?.trim());
    expect(bad.map((o) => o.where)).toEqual([]);
  });

  it('has exactly one tag, declared once (with a description) in the document', () => {
    const declared = (doc.tags ?? []).map((t) => t.name);
    expect(new Set(declared).size).toBe(declared.length);
    expect((doc.tags ?? []).filter((t) => !t.description?.trim())).toEqual([]);
    const bad = operations.filter(
      ({ op }) => op.tags?.length !== 1 || !declared.includes(op.tags[0]!),
    );
    expect(bad.map((o) => `${o.where}: ${JSON.stringify(o.op.tags)}`)).toEqual([]);
  });

  it('states its security with declared schemes; only probes and sign-in/up/out need none', () => {
    const schemes = Object.keys(doc.components.securitySchemes ?? {});
    expect(schemes.sort()).toEqual(['bearerAuth', 'cookieAuth']);
    const open: string[] = [];
    for (const { where, op } of operations) {
      expect(op.security, where).toBeDefined();
      for (const requirement of op.security!) {
        for (const name of Object.keys(requirement)) expect(schemes, where).toContain(name);
      }
      if (op.security!.length === 0 || op.security!.some((r) => Object.keys(r).length === 0))
        open.push(where);
    }
    expect(open.sort()).toEqual([
      'GET /api/health',
      'GET /api/ready',
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'POST /api/auth/signup',
    ]);
  });
});

it('answers 401 on a public operation when Authorization carries a bad token, as documented', async () => {
  const res = await ctx.anonymous().get('/api/health', { authorization: 'Bearer not-a-token' });
  expect(res.status).toBe(401);
  expect(doc.paths['/api/health']!.get!).toHaveProperty(['responses', '401']);
});
