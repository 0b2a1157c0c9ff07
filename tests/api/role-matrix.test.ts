/**
 * Acceptance 1 and 2 of issue 3: the status of every endpoint for every kind of caller, and
 * "a stranger gets the same 404 under a model as for a random id".
 *
 * HOW TO ADD YOUR ENDPOINTS: append rows to `ROWS` (one per operation; `op` is the method and
 * the OpenAPI path template exactly as /api/openapi.json spells it). `path`/`body` receive
 * `Ids` — `tm` and `team` of the world plus whatever your `prepare` returns (it runs once per
 * cell as the world's owner, e.g. `prepare: async (ctx, w) => ({ threat: (await …).id })`).
 * Set `fresh: true` when the request destroys something other cells rely on (deleting the
 * model, removing a grant): that cell then gets its own world. `expect` is one status per
 * caller; `byRole(action, okStatus)` builds the usual one from the policy in model/roles.ts.
 * Then delete your operation from `NOT_YET_IN_MATRIX`. The coverage test fails when an
 * operation in the OpenAPI document has neither a row nor an entry there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Action, type Role } from '../../model/roles';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';
import type { Credentials } from '../setup/http';

const WHO = [
  'anonymous',
  'stranger',
  'reader',
  'reviewer',
  'writer',
  'owner',
  'team_writer',
  'everyone_reader',
] as const;
type Who = (typeof WHO)[number];

/** The role each caller holds on the world's model (the team member's team has writer). */
const ROLE_OF: Partial<Record<Who, Role>> = {
  reader: 'reader',
  reviewer: 'reviewer',
  writer: 'writer',
  owner: 'owner',
  team_writer: 'writer',
  everyone_reader: 'reader',
};

/** Statuses under a model: 401 without a session, 404 invisible, 403 below `action`. */
export function byRole(action: Action, ok: number): Record<Who, number> {
  return Object.fromEntries(
    WHO.map((who) => {
      if (who === 'anonymous') return [who, 401];
      const role = ROLE_OF[who];
      return [who, !role ? 404 : can(role, action) ? ok : 403];
    }),
  ) as Record<Who, number>;
}

/** Statuses of an endpoint any signed-in user may call. */
const signedIn = (ok: number) =>
  Object.fromEntries(WHO.map((w) => [w, w === 'anonymous' ? 401 : ok])) as Record<Who, number>;

/** Statuses of a team endpoint only the team's creator (the world's owner) may call. */
const teamManager = (ok: number) =>
  Object.fromEntries(
    WHO.map((w) => [w, w === 'anonymous' ? 401 : w === 'owner' ? ok : 403]),
  ) as Record<Who, number>;

export type Ids = { tm: string; team: string } & Record<string, string>;
interface World {
  tm: { id: string };
  team: { id: string };
}
interface Row {
  op: string;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  prepare?: (ctx: TestContext, world: World) => Promise<Record<string, string>>;
  fresh?: boolean;
  expect: Record<Who, number>;
}

const tmPath = (ids: Ids, rest = '') => `/api/threat_models/${ids.tm}${rest}`;
const newUserId = async (ctx: TestContext) => ({ user: (await ctx.newUser()).id });

/*
 * Threats, diagrams, documents, repositories and metadata on each entity: rows generated per
 * resource so the contracts stay identical. `prepare` creates a fresh entity per cell, and
 * metadata keys are unique per cell, so every caller meets the same state.
 */
const CELL_ID = '00000000-0000-4000-8000-0000000000c1';
const CHILDREN = [
  { segment: 'threats', param: 'threat_id', body: { name: 'T' } },
  {
    segment: 'diagrams',
    param: 'diagram_id',
    body: {
      name: 'D',
      type: 'DFD-1.0.0',
      cells: [{ id: CELL_ID, shape: 'process', x: 0, y: 0, width: 10, height: 10 }],
    },
  },
  { segment: 'documents', param: 'document_id', body: { name: 'D', url: 'https://example.com/d' } },
  {
    segment: 'repositories',
    param: 'repository_id',
    body: { name: 'R', url: 'https://example.com/r.git' },
  },
] as const;
type Child = (typeof CHILDREN)[number];

/** Creates one `child` in the world's model as its owner; returns `{ id }`. */
const createChild = (child: Child) => async (ctx: TestContext, w: World) => {
  const res = await ctx
    .as(users.owner)
    .post(tmPath({ tm: w.tm.id } as Ids, `/${child.segment}`), child.body);
  return { id: res.body.id as string };
};

function childRows(child: Child): Row[] {
  const list = `/api/threat_models/{tm}/${child.segment}`;
  const one = `${list}/{${child.param}}`;
  const item = (i: Ids) => tmPath(i, `/${child.segment}/${i.id}`);
  const prepare = createChild(child);
  return [
    { op: `GET ${list}`, path: (i) => tmPath(i, `/${child.segment}`), expect: byRole('read', 200) },
    {
      op: `POST ${list}`,
      path: (i) => tmPath(i, `/${child.segment}`),
      body: () => child.body,
      expect: byRole('edit', 201),
    },
    { op: `GET ${one}`, path: item, prepare, expect: byRole('read', 200) },
    { op: `PUT ${one}`, path: item, prepare, body: () => child.body, expect: byRole('edit', 200) },
    {
      op: `PATCH ${one}`,
      path: item,
      prepare,
      body: () => [{ op: 'replace', path: '/name', value: 'P' }],
      expect: byRole('edit', 200),
    },
    { op: `DELETE ${one}`, path: item, prepare, expect: byRole('edit', 204) },
  ];
}

const METADATA_OWNERS: {
  template: string;
  at: (i: Ids) => string;
  prepare?: Row['prepare'];
}[] = [
  { template: '', at: (i) => tmPath(i) },
  ...CHILDREN.map((child) => ({
    template: `/${child.segment}/{${child.param}}`,
    at: (i: Ids) => tmPath(i, `/${child.segment}/${i.id}`),
    prepare: createChild(child),
  })),
  {
    template: '/diagrams/{diagram_id}/cells/{cell_id}',
    at: (i) => tmPath(i, `/diagrams/${i.id}/cells/${CELL_ID}`),
    prepare: createChild(CHILDREN[1]),
  },
];

function metadataRows(owner: (typeof METADATA_OWNERS)[number]): Row[] {
  const list = `/api/threat_models/{tm}${owner.template}/metadata`;
  const key = (i: Ids) => `${owner.at(i)}/metadata/${i.key}`;
  const fresh: Row['prepare'] = async (ctx, w) => ({
    ...(await owner.prepare?.(ctx, w)),
    key: `k${Math.random().toString(36).slice(2)}`,
  });
  const withKey: Row['prepare'] = async (ctx, w) => {
    const ids = await fresh(ctx, w);
    await ctx.as(users.owner).put(key({ tm: w.tm.id, ...ids } as Ids), { value: 'v' });
    return ids;
  };
  return [
    {
      op: `GET ${list}`,
      path: (i) => `${owner.at(i)}/metadata`,
      prepare: owner.prepare,
      expect: byRole('read', 200),
    },
    {
      op: `PUT ${list}`,
      path: (i) => `${owner.at(i)}/metadata`,
      prepare: owner.prepare,
      body: () => [{ key: 'a', value: '1' }],
      expect: byRole('edit', 200),
    },
    { op: `GET ${list}/{key}`, path: key, prepare: withKey, expect: byRole('read', 200) },
    {
      op: `PUT ${list}/{key}`,
      path: key,
      prepare: fresh,
      body: () => ({ value: 'v' }),
      expect: byRole('edit', 201),
    },
    { op: `DELETE ${list}/{key}`, path: key, prepare: withKey, expect: byRole('edit', 204) },
  ];
}

const CONTENT_ROWS: Row[] = [
  ...CHILDREN.flatMap(childRows),
  {
    op: 'POST /api/threat_models/{tm}/threats/bulk',
    path: (i) => tmPath(i, '/threats/bulk'),
    body: () => [{ name: 'A' }, { name: 'B' }],
    expect: byRole('edit', 201),
  },
  ...METADATA_OWNERS.flatMap(metadataRows),
];

/*
 * Live collaboration (sessions, tickets, versions) and review (comments, reviews). Diagrams are
 * created per cell so every caller meets the same state; review rows get a fresh world because
 * they move the model's status.
 */
const createDiagram = createChild(CHILDREN[1]);
const diagramPath = (i: Ids, rest: string) => tmPath(i, `/diagrams/${i.id}${rest}`);
const D = '/api/threat_models/{tm}/diagrams/{diagram_id}';
const asOwner = (w: World, rest: string, body?: unknown) =>
  ctx.as(users.owner).post(tmPath({ tm: w.tm.id } as Ids, rest), body);
const withSession = async (c: TestContext, w: World) => {
  const d = await createDiagram(c, w);
  await asOwner(w, `/diagrams/${d.id}/collaborate`);
  return d;
};
const withVersion = async (c: TestContext, w: World) => {
  const d = await createDiagram(c, w);
  await asOwner(w, `/diagrams/${d.id}/versions`, { change_description: 'baseline' });
  return d;
};
const withComment = async (_c: TestContext, w: World) => ({
  id: (await asOwner(w, '/comments', { body: 'by the owner' })).body.id as string,
});
/** An owner-authored comment as seen by each caller: `author` for the owner, else `others`. */
const onOwnersComment = (ok: number, writersToo: boolean): Record<Who, number> => ({
  ...byRole('comment', 403),
  owner: ok,
  ...(writersToo ? { writer: ok, team_writer: ok } : {}),
});

const LIVE_AND_REVIEW_ROWS: Row[] = [
  {
    op: `GET ${D}/collaborate`,
    path: (i) => diagramPath(i, '/collaborate'),
    prepare: withSession,
    expect: byRole('read', 200),
  },
  {
    op: `POST ${D}/collaborate`,
    path: (i) => diagramPath(i, '/collaborate'),
    prepare: createDiagram,
    expect: byRole('read', 201),
  },
  {
    op: `DELETE ${D}/collaborate`,
    path: (i) => diagramPath(i, '/collaborate'),
    prepare: withSession,
    expect: byRole('read', 204),
  },
  {
    op: 'POST /api/collab/tickets',
    path: () => '/api/collab/tickets',
    prepare: createDiagram,
    body: (i) => ({ diagram_id: i.id }),
    expect: byRole('read', 201),
  },
  {
    op: `GET ${D}/versions`,
    path: (i) => diagramPath(i, '/versions'),
    prepare: createDiagram,
    expect: byRole('read', 200),
  },
  {
    op: `POST ${D}/versions`,
    path: (i) => diagramPath(i, '/versions'),
    prepare: createDiagram,
    body: () => ({ change_description: 'checkpoint' }),
    expect: byRole('edit', 201),
  },
  {
    op: `GET ${D}/versions/{version_number}`,
    path: (i) => diagramPath(i, '/versions/1'),
    prepare: withVersion,
    expect: byRole('read', 200),
  },
  {
    op: `POST ${D}/versions/{version_number}/restore`,
    path: (i) => diagramPath(i, '/versions/1/restore'),
    prepare: withVersion,
    expect: byRole('edit', 200),
  },
  {
    op: 'GET /api/threat_models/{tm}/comments',
    path: (i) => tmPath(i, '/comments'),
    expect: byRole('read', 200),
  },
  {
    op: 'POST /api/threat_models/{tm}/comments',
    path: (i) => tmPath(i, '/comments'),
    body: () => ({ body: 'a review remark' }),
    expect: byRole('comment', 201),
  },
  {
    op: 'GET /api/threat_models/{tm}/comments/{id}',
    path: (i) => tmPath(i, `/comments/${i.id}`),
    prepare: withComment,
    expect: byRole('read', 200),
  },
  {
    op: 'PATCH /api/threat_models/{tm}/comments/{id}',
    path: (i) => tmPath(i, `/comments/${i.id}`),
    prepare: withComment,
    body: () => ({ body: 'edited' }),
    expect: onOwnersComment(200, false),
  },
  {
    op: 'DELETE /api/threat_models/{tm}/comments/{id}',
    path: (i) => tmPath(i, `/comments/${i.id}`),
    prepare: withComment,
    expect: onOwnersComment(204, false),
  },
  {
    op: 'POST /api/threat_models/{tm}/comments/{id}/resolve',
    path: (i) => tmPath(i, `/comments/${i.id}/resolve`),
    prepare: withComment,
    expect: onOwnersComment(200, true),
  },
  {
    op: 'POST /api/threat_models/{tm}/comments/{id}/reopen',
    path: (i) => tmPath(i, `/comments/${i.id}/reopen`),
    prepare: withComment,
    expect: onOwnersComment(200, true),
  },
  {
    op: 'GET /api/threat_models/{tm}/reviews',
    path: (i) => tmPath(i, '/reviews'),
    expect: byRole('read', 200),
  },
  {
    op: 'POST /api/threat_models/{tm}/reviews',
    path: (i) => tmPath(i, '/reviews'),
    body: () => ({ note: 'please review' }),
    fresh: true,
    expect: byRole('edit', 201),
  },
  {
    op: 'POST /api/threat_models/{tm}/reviews/decision',
    path: (i) => tmPath(i, '/reviews/decision'),
    prepare: async (_c, w) => {
      await asOwner(w, '/reviews', {});
      return {};
    },
    body: () => ({ decision: 'approved' }),
    fresh: true,
    expect: byRole('manage', 200),
  },
];

const ROWS: Row[] = [
  { op: 'GET /api/users', path: () => '/api/users?q=user', expect: signedIn(200) },
  { op: 'GET /api/teams', path: () => '/api/teams', expect: signedIn(200) },
  {
    op: 'POST /api/teams',
    path: () => '/api/teams',
    body: () => ({ name: 'T' }),
    expect: signedIn(201),
  },
  { op: 'GET /api/teams/{id}', path: (i) => `/api/teams/${i.team}`, expect: signedIn(200) },
  {
    op: 'PUT /api/teams/{id}',
    path: (i) => `/api/teams/${i.team}`,
    body: () => ({ name: 'Renamed' }),
    expect: teamManager(200),
  },
  {
    op: 'DELETE /api/teams/{id}',
    path: (i) => `/api/teams/${i.team}`,
    fresh: true,
    expect: teamManager(204),
  },
  {
    op: 'PUT /api/teams/{id}/members/{user_id}',
    path: (i) => `/api/teams/${i.team}/members/${i.user}`,
    prepare: newUserId,
    body: () => ({ role: 'member' }),
    expect: teamManager(201),
  },
  {
    op: 'DELETE /api/teams/{id}/members/{user_id}',
    path: (i) => `/api/teams/${i.team}/members/${i.user}`,
    prepare: async (ctx, w) => {
      const user = await ctx.newUser();
      await ctx.addTeamMember(w.team, user);
      return { user: user.id };
    },
    expect: teamManager(204),
  },
  { op: 'GET /api/threat_models', path: () => '/api/threat_models', expect: signedIn(200) },
  {
    op: 'POST /api/threat_models',
    path: () => '/api/threat_models',
    body: () => ({ name: 'New' }),
    expect: signedIn(201),
  },
  { op: 'GET /api/threat_models/{tm}', path: (i) => tmPath(i), expect: byRole('read', 200) },
  {
    op: 'PUT /api/threat_models/{tm}',
    path: (i) => tmPath(i),
    body: () => ({ name: 'Replaced' }),
    expect: byRole('edit', 200),
  },
  {
    op: 'PATCH /api/threat_models/{tm}',
    path: (i) => tmPath(i),
    body: () => [{ op: 'replace', path: '/description', value: 'patched' }],
    expect: byRole('edit', 200),
  },
  {
    op: 'DELETE /api/threat_models/{tm}',
    path: (i) => tmPath(i),
    fresh: true,
    expect: byRole('manage', 204),
  },
  {
    op: 'GET /api/threat_models/{tm}/access',
    path: (i) => tmPath(i, '/access'),
    expect: byRole('read', 200),
  },
  {
    op: 'PUT /api/threat_models/{tm}/access/{principal_type}/{principal_id}',
    path: (i) => tmPath(i, `/access/user/${i.user}`),
    prepare: newUserId,
    body: () => ({ role: 'reader' }),
    expect: byRole('manage', 201),
  },
  {
    op: 'DELETE /api/threat_models/{tm}/access/{principal_type}/{principal_id}',
    path: (i) => tmPath(i, `/access/user/${i.user}`),
    prepare: async (ctx, w) => {
      const user = await ctx.newUser();
      await ctx.grant(w.tm, user, 'reader');
      return { user: user.id };
    },
    expect: byRole('manage', 204),
  },
  {
    op: 'GET /api/threat_models/{tm}/audit',
    path: (i) => tmPath(i, '/audit'),
    expect: byRole('read', 200),
  },
  ...CONTENT_ROWS,
  ...LIVE_AND_REVIEW_ROWS,
];

/**
 * Operations whose owners have not added rows yet (other engineers' endpoints at the time
 * this matrix was written). Remove an entry when you add its row.
 */
const NOT_YET_IN_MATRIX = new Set<string>([]);

/** The caller's own resources and sign-in: no role on a model is involved. */
const OUTSIDE_MATRIX = /^(GET|POST|PUT|PATCH|DELETE) \/api\/(auth|me|health|ready)(\/|$)/;

const RANDOM_ID = '00000000-0000-4000-8000-00000000abcd';

let ctx: TestContext;
let users: Record<Exclude<Who, 'anonymous'>, TestUser>;
let shared: { main: World; everyone: World };

/** A model with grants for every role and the team, plus a team the owner created. */
async function mainWorld(): Promise<World> {
  const team = await ctx.newTeam(users.owner);
  await ctx.addTeamMember(team, users.team_writer);
  const tm = await ctx.newThreatModel(users.owner);
  for (const who of ['reader', 'reviewer', 'writer'] as const) await ctx.grant(tm, users[who], who);
  await ctx.grant(tm, { team }, 'writer');
  return { tm, team };
}

/** A separate model shared with everyone as readers (it would make the stranger a reader). */
async function everyoneWorld(): Promise<World> {
  const tm = await ctx.newThreatModel(users.owner);
  await ctx.grant(tm, 'everyone', 'reader');
  return { tm, team: await ctx.newTeam(users.owner) };
}

beforeAll(async () => {
  ctx = await createTestContext();
  const entries = await Promise.all(
    WHO.filter((w) => w !== 'anonymous').map(async (w) => [w, await ctx.newUser({ name: w })]),
  );
  users = Object.fromEntries(entries);
  shared = { main: await mainWorld(), everyone: await everyoneWorld() };
});
afterAll(() => ctx.close());

function credentials(who: Who): Credentials {
  return who === 'anonymous' ? null : users[who];
}

async function send(row: Row, who: Who, ids: Ids) {
  const [method] = row.op.split(' ') as [string];
  return ctx.as(credentials(who)).send(method, row.path(ids), row.body?.(ids));
}

describe('role matrix', () => {
  it('covers every operation in the OpenAPI document', async () => {
    const doc = (await ctx.anonymous().get('/api/openapi.json')).body;
    const ops = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const rows = new Set(ROWS.map((r) => r.op));
    const missing = ops.filter(
      (op) => !rows.has(op) && !NOT_YET_IN_MATRIX.has(op) && !OUTSIDE_MATRIX.test(op),
    );
    expect(missing, 'add rows for these operations').toEqual([]);
    const stale = [...NOT_YET_IN_MATRIX].filter((op) => rows.has(op) || !ops.includes(op));
    expect(stale, 'remove these from NOT_YET_IN_MATRIX').toEqual([]);
  });

  for (const row of ROWS) {
    it(row.op, async () => {
      const actual: Partial<Record<Who, number>> = {};
      // Reads run together; writes one by one, since concurrent writes to the shared world
      // may rightly answer 409 (e.g. two replace-all PUTs racing on the same keys).
      const cell = async (who: Who) => {
        const world =
          who === 'everyone_reader'
            ? row.fresh
              ? await everyoneWorld()
              : shared.everyone
            : row.fresh
              ? await mainWorld()
              : shared.main;
        const extra = (await row.prepare?.(ctx, world)) ?? {};
        const ids: Ids = { tm: world.tm.id, team: world.team.id, ...extra };
        const res = await send(row, who, ids);
        actual[who] = res.status;
        if (who === 'stranger' && row.path(ids).startsWith(`/api/threat_models/${ids.tm}`)) {
          // Acceptance 2: indistinguishable from a model that does not exist.
          const random = await send(row, who, { ...ids, tm: RANDOM_ID });
          expect([res.status, res.body.code, res.body.detail]).toEqual([
            random.status,
            random.body.code,
            random.body.detail,
          ]);
        }
      };
      if (row.op.startsWith('GET ')) await Promise.all(WHO.map(cell));
      else for (const who of WHO) await cell(who);
      expect(actual).toEqual(row.expect);
    });
  }
});
