/**
 * Acceptance 5: walks every operation of /api/openapi.json and sends generated requests —
 * bodies, path ids and query strings built from the declared schemas, then mangled — as
 * several callers. Each response must be non-5xx, have a status the document declares for
 * that operation, and a body that validates against the declared schema for that status.
 * Bounded (RUNS per operation) so it stays a unit-speed test.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';

/** Runs per operation; FUZZ_RUNS=500 for a deeper local hunt. */
/** encodeURIComponent throws on these; a client could never send them in a URL anyway. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

const ctx = await createTestContext();
afterAll(() => ctx.close());
const doc = (await ctx.anonymous().get('/api/openapi.json')).body;

/** Inlines `#/components/...` references (depth-bounded in case a schema is recursive). */
function deref(node: unknown, depth = 0): any {
  if (Array.isArray(node)) return node.map((n) => deref(n, depth));
  if (!node || typeof node !== 'object') return node;
  const ref = (node as Schema).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    if (depth > 8) return {};
    const target = ref
      .slice(2)
      .split('/')
      .reduce((o: any, k) => o?.[k], doc);
    return deref(target, depth + 1);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v, depth)]));
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();
function validatorFor(key: string, schema: Schema) {
  let v = validators.get(key);
  if (!v) validators.set(key, (v = ajv.compile(schema)));
  return v;
}

/** Strings that break naive handlers: empty, huge, NUL, markup, pointers, SQL. */
const nasty = fc.constantFrom(
  '',
  ' ',
  'null',
  '-1',
  '1e309',
  '%00',
  '\u0000',
  'x'.repeat(5000),
  "' or 1=1 --",
  '<script>',
  '../..',
  '*',
  '00000000-0000-0000-0000-000000000000',
  '\ud800',
);
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), nasty);

/** A value that satisfies `schema` (as far as its keywords go), size-bounded. */
function valid(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return fc.jsonValue({ maxDepth: 2 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts) return fc.oneof(...alts.map((s: Schema) => valid(s, depth + 1)));
  if (schema.allOf) return valid(Object.assign({}, ...schema.allOf), depth + 1);
  const type = schema.type;
  if (Array.isArray(type))
    return fc.oneof(...type.map((t) => valid({ ...schema, type: t }, depth)));
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -1e6, Number.MIN_SAFE_INTEGER),
        max: Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'string':
      return validString(schema);
    case 'array':
      return fc.array(valid(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, Math.max(3, schema.minItems ?? 0)),
      });
    case 'object': {
      const props: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries<Schema>(schema.properties ?? {}))
        props[k] = valid(s, depth + 1);
      return fc.record(props, {
        requiredKeys: (schema.required ?? []).filter((k: string) => k in props),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: Schema): fc.Arbitrary<string> {
  const max = Math.min(schema.maxLength ?? 40, 40);
  const min = Math.min(schema.minLength ?? 0, max);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl();
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

/** A value of `schema` or something that violates it. */
const valueFor = (schema: Schema | undefined) =>
  fc.oneof(
    { weight: 3, arbitrary: valid(schema) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 1, arbitrary: anyString },
  );

/** JSON text nested `levels` deep (built as text, so the test itself cannot overflow). */
const deepArray = (levels: number) => '['.repeat(levels) + '1' + ']'.repeat(levels);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
/** Bodies far deeper than any schema: they must be refused (400), not overflow a stack. */
const deepBody = fc.constantFrom(
  deepArray(5000),
  deepObject(5000),
  `{"name":"deep","description":${deepArray(5000)}}`,
  `[{"op":"add","path":"/description","value":${deepObject(5000)}}]`,
);

/**
 * JSON Patch operations whose paths run into strings, numbers and arrays of the resource
 * (`/name/0`, `/score/x`, `/threat_type/00`, `/cells/0/x/0`, …): each must be a 4xx.
 */
const PATCH_FIELDS = ['name', 'description', 'score', 'threat_type', 'cells', 'status', 'url'];
const PATCH_TAILS = ['0', '-', '00', 'x', '__proto__', '0/0', '0/x/0', '-/x', '99', 'length'];
const patchIntoValues = fc.array(
  fc.record({
    op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'),
    path: fc
      .tuple(fc.constantFrom(...PATCH_FIELDS), fc.constantFrom(...PATCH_TAILS))
      .map(([field, tail]) => `/${field}/${tail}`),
    from: fc.constantFrom('/name', '/name/0', '/score/0', '/threat_type/0', '/cells/0/x'),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  { minLength: 1, maxLength: 3 },
);

/** A body: valid, valid with one field broken, arbitrary JSON, or broken JSON text. */
const bodyFor = (schema: Schema, contentType?: string) =>
  fc.oneof(
    { weight: 1, arbitrary: deepBody },
    ...(contentType === 'application/json-patch+json'
      ? [{ weight: 4, arbitrary: patchIntoValues as fc.Arbitrary<unknown> }]
      : []),
    { weight: 4, arbitrary: valid(schema) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid(schema), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }))
        .map(([v, k, x]) => {
          if (!v || typeof v !== 'object' || Array.isArray(v)) return x;
          const keys = Object.keys(v);
          return { ...v, [keys.length ? keys[k.length % keys.length]! : k]: x };
        }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom('{"unterminated":', 'not json', '[]', '""') },
  );

const operations: Operation[] = Object.entries<Record<string, Operation>>(doc.paths).flatMap(
  ([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      ...deref(op),
      method: method.toUpperCase(),
      path,
    })),
);

describe('every operation in the OpenAPI document', () => {
  it('has operations to walk', () => expect(operations.length).toBeGreaterThan(20));

  for (const op of operations) {
    it(`${op.method} ${op.path}`, async () => {
      // A world per operation, so that one operation's deletes cannot starve the others.
      const owner = await ctx.newUser();
      const other = await ctx.newUser();
      const tm = await ctx.newThreatModel(owner);
      await ctx.grant(tm, other, 'reader');
      const team = await ctx.newTeam(owner);
      const realIds = [tm.id, team.id, owner.id, other.id];
      const callers: Record<string, TestUser | null> = { owner, reader: other, anonymous: null };
      // Ids that make each path parameter name point at something real, to reach success paths.
      const preferred: Record<string, string[]> = {
        tm: [tm.id],
        id: [team.id],
        user_id: [other.id, owner.id],
        principal_id: [other.id, team.id, '*'],
      };

      const params = op.parameters ?? [];
      const pathArb = fc.record(
        Object.fromEntries(
          params
            .filter((p) => p.in === 'path')
            .map((p) => [
              p.name,
              fc.oneof(
                { weight: 6, arbitrary: fc.constantFrom(...(preferred[p.name] ?? realIds)) },
                { weight: 2, arbitrary: fc.constantFrom(...realIds) },
                { weight: 2, arbitrary: valid(p.schema).map(String) },
                { weight: 1, arbitrary: anyString },
              ),
            ]),
        ),
      );
      const queryArb = fc.record(
        Object.fromEntries(
          params.filter((p) => p.in === 'query').map((p) => [p.name, valueFor(p.schema)]),
        ),
        { requiredKeys: [] },
      );
      const headerArb = fc.record(
        Object.fromEntries(
          params
            .filter((p) => p.in === 'header')
            .map((p) => [p.name, fc.oneof(fc.constantFrom('"1"', '"2"', 'W/"1"', '*'), anyString)]),
        ),
        { requiredKeys: [] },
      );
      const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      const bodyArb = media
        ? fc.option(bodyFor(media.schema, contentType), { freq: 8 })
        : fc.constant(null);
      const callerArb = fc.constantFrom('owner', 'owner', 'owner', 'reader', 'anonymous');

      await fc.assert(
        fc.asyncProperty(
          pathArb,
          queryArb,
          headerArb,
          bodyArb,
          callerArb,
          async (pathValues, query, headers, body, caller) => {
            const url =
              op.path.replace(/\{(\w+)\}/g, (_, name) =>
                encodeURIComponent(
                  String(pathValues[name] ?? '').replace(LONE_SURROGATE, '\uFFFD'),
                ),
              ) + queryString(query);
            const h: Record<string, string> = {};
            for (const [k, v] of Object.entries(headers))
              h[k] = String(v).replace(/[^\x20-\x7e]/g, '');
            if (contentType) h['content-type'] = contentType;
            const payload =
              typeof body === 'string' ? body : body === null ? undefined : JSON.stringify(body);
            const res = await ctx.as(callers[caller]!).send(op.method, url, payload, h);
            const where = `${op.method} ${url} as ${caller} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
            expect(res.status, where).toBeLessThan(500);
            const declared = op.responses[String(res.status)];
            expect(declared, `undeclared status: ${where}`).toBeDefined();
            const mediaType = res.contentType?.split(';')[0]?.trim();
            const schema = mediaType ? declared!.content?.[mediaType]?.schema : undefined;
            if (declared!.content) {
              expect(schema, `undeclared content type ${mediaType}: ${where}`).toBeDefined();
            }
            if (schema) {
              const validate = validatorFor(
                `${op.method} ${op.path} ${res.status} ${mediaType}`,
                schema,
              );
              expect(validate(res.body) ? [] : validate.errors, where).toEqual([]);
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

function queryString(query: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    search.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}
