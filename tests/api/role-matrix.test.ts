/**
 * Acceptance 1 and 2 of issue 3: the status of every endpoint for every kind of caller, and
 * "a stranger gets the same 404 under a model as for a random id".
 *
 * The rule is stated once, as the literal table `EXPECTED` (operation × caller → status). It
 * is written out by hand, independent of `can()` and of model/roles.ts, so a mistake in the
 * policy makes this test fail instead of being copied into it. docs/api.md "Roles" is the same
 * rule in words.
 *
 * HOW TO ADD YOUR ENDPOINTS: add a line to `EXPECTED` (the method and the OpenAPI path
 * template exactly as /api/openapi.json spells it, and one status per caller, in the order of
 * `WHO`) and a request to `ROWS` under the same key. `path`/`body` receive `Ids` — `tm` and
 * `team` of the world plus whatever your `prepare` returns (it runs once per cell as the
 * world's owner, e.g. `prepare: async (ctx, w) => ({ threat: (await …).id })`). Set
 * `fresh: true` when the request destroys something other cells rely on (deleting the model,
 * removing a grant): that cell then gets its own world. The coverage test fails when an
 * operation in the OpenAPI document has no line (and is not in `NOT_YET_IN_MATRIX`), or when
 * `EXPECTED` and `ROWS` name different operations.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as invitationsRepo from '../../db/repositories/invitations.repository';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';
import type { Credentials } from '../setup/http';

/**
 * The callers, in the column order of `EXPECTED`. On the world's model: `reader`, `reviewer`,
 * `writer` and `owner` hold a user grant of that role; `team_writer` is a member of a team
 * granted writer; `stranger` has no grant; `anonymous` has no session. `everyone_reader` meets a
 * separate model shared with everyone as readers (on the main model it would make the stranger
 * a reader). Teams are the world owner's: they created the world's team.
 */
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

type Statuses = readonly [
  anonymous: number,
  stranger: number,
  reader: number,
  reviewer: number,
  writer: number,
  owner: number,
  team_writer: number,
  everyone_reader: number,
];

const TM = '/api/threat_models/{tm}';
const D = `${TM}/diagrams/{diagram_id}`;

/**
 * THE RULE: the status each caller gets from each operation. Columns as in `WHO`: anonymous,
 * stranger, reader, reviewer, writer, owner, team_writer, everyone_reader.
 */
// prettier-ignore
const EXPECTED: Record<string, Statuses> = {
  //                                                             anon strg read revw writ ownr team evry
  // Not under a model: any signed-in user; a team is managed by its creator (the world's owner).
  'GET /api/users':                                             [401, 200, 200, 200, 200, 200, 200, 200],
  'GET /api/teams':                                             [401, 200, 200, 200, 200, 200, 200, 200],
  'POST /api/teams':                                            [401, 201, 201, 201, 201, 201, 201, 201],
  'GET /api/teams/{id}':                                        [401, 200, 200, 200, 200, 200, 200, 200],
  'PUT /api/teams/{id}':                                        [401, 403, 403, 403, 403, 200, 403, 403],
  'DELETE /api/teams/{id}':                                     [401, 403, 403, 403, 403, 204, 403, 403],
  'PUT /api/teams/{id}/members/{user_id}':                      [401, 403, 403, 403, 403, 201, 403, 403],
  'DELETE /api/teams/{id}/members/{user_id}':                   [401, 403, 403, 403, 403, 204, 403, 403],
  'GET /api/threat_models':                                     [401, 200, 200, 200, 200, 200, 200, 200],
  'POST /api/threat_models':                                    [401, 201, 201, 201, 201, 201, 201, 201],
  'POST /api/threat_models/import':                             [401, 201, 201, 201, 201, 201, 201, 201],

  // The model itself, its grants and its audit log.
  [`GET ${TM}`]:                                                [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}`]:                                                [401, 404, 403, 403, 200, 200, 200, 403],
  [`PATCH ${TM}`]:                                              [401, 404, 403, 403, 200, 200, 200, 403],
  [`DELETE ${TM}`]:                                             [401, 404, 403, 403, 403, 204, 403, 403],
  [`GET ${TM}/access`]:                                         [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/access/{principal_type}/{principal_id}`]:         [401, 404, 403, 403, 403, 201, 403, 403],
  [`DELETE ${TM}/access/{principal_type}/{principal_id}`]:      [401, 404, 403, 403, 403, 204, 403, 403],
  [`GET ${TM}/invitations`]:                                    [401, 404, 403, 403, 403, 200, 403, 403],
  [`POST ${TM}/invitations`]:                                   [401, 404, 403, 403, 403, 201, 403, 403],
  [`DELETE ${TM}/invitations/{invitation_id}`]:                 [401, 404, 403, 403, 403, 204, 403, 403],
  [`GET ${TM}/people`]:                                         [401, 404, 200, 200, 200, 200, 200, 200],
  [`GET ${TM}/audit`]:                                          [401, 404, 200, 200, 200, 200, 200, 200],

  // Content: threats, diagrams, documents, repositories.
  [`GET ${TM}/threats`]:                                        [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${TM}/threats`]:                                       [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${TM}/threats/{threat_id}`]:                            [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/threats/{threat_id}`]:                            [401, 404, 403, 403, 200, 200, 200, 403],
  [`PATCH ${TM}/threats/{threat_id}`]:                          [401, 404, 403, 403, 200, 200, 200, 403],
  [`DELETE ${TM}/threats/{threat_id}`]:                         [401, 404, 403, 403, 204, 204, 204, 403],
  [`POST ${TM}/threats/bulk`]:                                  [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${TM}/diagrams`]:                                       [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${TM}/diagrams`]:                                      [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${D}`]:                                                 [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${D}`]:                                                 [401, 404, 403, 403, 200, 200, 200, 403],
  [`PATCH ${D}`]:                                               [401, 404, 403, 403, 200, 200, 200, 403],
  [`DELETE ${D}`]:                                              [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${TM}/documents`]:                                      [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${TM}/documents`]:                                     [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${TM}/documents/{document_id}`]:                        [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/documents/{document_id}`]:                        [401, 404, 403, 403, 200, 200, 200, 403],
  [`PATCH ${TM}/documents/{document_id}`]:                      [401, 404, 403, 403, 200, 200, 200, 403],
  [`DELETE ${TM}/documents/{document_id}`]:                     [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${TM}/repositories`]:                                   [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${TM}/repositories`]:                                  [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${TM}/repositories/{repository_id}`]:                   [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/repositories/{repository_id}`]:                   [401, 404, 403, 403, 200, 200, 200, 403],
  [`PATCH ${TM}/repositories/{repository_id}`]:                 [401, 404, 403, 403, 200, 200, 200, 403],
  [`DELETE ${TM}/repositories/{repository_id}`]:                [401, 404, 403, 403, 204, 204, 204, 403],

  // Threat knowledge: mitigations and their links to threats.
  [`GET ${TM}/mitigations`]:                                    [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${TM}/mitigations`]:                                   [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${TM}/mitigations/{mitigation_id}`]:                    [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/mitigations/{mitigation_id}`]:                    [401, 404, 403, 403, 200, 200, 200, 403],
  [`DELETE ${TM}/mitigations/{mitigation_id}`]:                 [401, 404, 403, 403, 204, 204, 204, 403],
  [`PUT ${TM}/threats/{threat_id}/mitigations/{mitigation_id}`]: [401, 404, 403, 403, 204, 204, 204, 403],
  [`DELETE ${TM}/threats/{threat_id}/mitigations/{mitigation_id}`]: [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${D}/suggestions`]:                                     [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${D}/suggestions/apply`]:                              [401, 404, 403, 403, 201, 201, 201, 403],
  [`POST ${D}/suggestions/dismiss`]:                            [401, 404, 403, 403, 204, 204, 204, 403],

  // Metadata on the model, each child and a diagram cell.
  [`GET ${TM}/metadata`]:                                       [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/metadata`]:                                       [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${TM}/metadata/{key}`]:                                 [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/metadata/{key}`]:                                 [401, 404, 403, 403, 201, 201, 201, 403],
  [`DELETE ${TM}/metadata/{key}`]:                              [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${TM}/threats/{threat_id}/metadata`]:                   [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/threats/{threat_id}/metadata`]:                   [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${TM}/threats/{threat_id}/metadata/{key}`]:             [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/threats/{threat_id}/metadata/{key}`]:             [401, 404, 403, 403, 201, 201, 201, 403],
  [`DELETE ${TM}/threats/{threat_id}/metadata/{key}`]:          [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${D}/metadata`]:                                        [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${D}/metadata`]:                                        [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${D}/metadata/{key}`]:                                  [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${D}/metadata/{key}`]:                                  [401, 404, 403, 403, 201, 201, 201, 403],
  [`DELETE ${D}/metadata/{key}`]:                               [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${TM}/documents/{document_id}/metadata`]:               [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/documents/{document_id}/metadata`]:               [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${TM}/documents/{document_id}/metadata/{key}`]:         [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/documents/{document_id}/metadata/{key}`]:         [401, 404, 403, 403, 201, 201, 201, 403],
  [`DELETE ${TM}/documents/{document_id}/metadata/{key}`]:      [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${TM}/repositories/{repository_id}/metadata`]:          [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/repositories/{repository_id}/metadata`]:          [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${TM}/repositories/{repository_id}/metadata/{key}`]:    [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${TM}/repositories/{repository_id}/metadata/{key}`]:    [401, 404, 403, 403, 201, 201, 201, 403],
  [`DELETE ${TM}/repositories/{repository_id}/metadata/{key}`]: [401, 404, 403, 403, 204, 204, 204, 403],
  [`GET ${D}/cells/{cell_id}/metadata`]:                        [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${D}/cells/{cell_id}/metadata`]:                        [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${D}/cells/{cell_id}/metadata/{key}`]:                  [401, 404, 200, 200, 200, 200, 200, 200],
  [`PUT ${D}/cells/{cell_id}/metadata/{key}`]:                  [401, 404, 403, 403, 201, 201, 201, 403],
  [`DELETE ${D}/cells/{cell_id}/metadata/{key}`]:               [401, 404, 403, 403, 204, 204, 204, 403],

  // Live collaboration and versions.
  [`GET ${D}/collaborate`]:                                     [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${D}/collaborate`]:                                    [401, 404, 201, 201, 201, 201, 201, 201],
  [`DELETE ${D}/collaborate`]:                                  [401, 404, 204, 204, 204, 204, 204, 204],
  'POST /api/collab/tickets':                                   [401, 404, 201, 201, 201, 201, 201, 201],
  [`GET ${D}/versions`]:                                        [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${D}/versions`]:                                       [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${D}/versions/{version_number}`]:                       [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${D}/versions/{version_number}/restore`]:              [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${D}/versions/{version_number}/diff`]:                  [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${D}/duplicate`]:                                      [401, 404, 403, 403, 201, 201, 201, 403],
  [`GET ${D}/image`]:                                           [401, 404, 200, 200, 200, 200, 200, 200],
  [`GET ${TM}/export`]:                                         [401, 404, 200, 200, 200, 200, 200, 200],
  [`GET ${TM}/report`]:                                         [401, 404, 200, 200, 200, 200, 200, 200],

  // Review. Each comment row acts on a comment the owner wrote: only its author edits it, its
  // author or an owner deletes it, its author or a writer resolves and reopens it. The decision
  // row approves, which only an owner may (requesting changes is reviewer+, see reviews.test.ts).
  [`GET ${TM}/comments`]:                                       [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${TM}/comments`]:                                      [401, 404, 403, 201, 201, 201, 201, 403],
  [`GET ${TM}/comments/{id}`]:                                  [401, 404, 200, 200, 200, 200, 200, 200],
  [`PATCH ${TM}/comments/{id}`]:                                [401, 404, 403, 403, 403, 200, 403, 403],
  [`DELETE ${TM}/comments/{id}`]:                               [401, 404, 403, 403, 403, 204, 403, 403],
  [`POST ${TM}/comments/{id}/resolve`]:                         [401, 404, 403, 403, 200, 200, 200, 403],
  [`POST ${TM}/comments/{id}/reopen`]:                          [401, 404, 403, 403, 200, 200, 200, 403],
  [`GET ${TM}/reviews`]:                                        [401, 404, 200, 200, 200, 200, 200, 200],
  [`POST ${TM}/reviews`]:                                       [401, 404, 403, 403, 201, 201, 201, 403],
  // `approved`: an owner's approval, a reviewer's or writer's sign-off (the model stays in review).
  [`POST ${TM}/reviews/decision`]:                              [401, 404, 403, 200, 200, 200, 200, 403],
};

export type Ids = { tm: string; team: string } & Record<string, string>;
interface World {
  tm: { id: string };
  team: { id: string };
}
/** How to send one operation: the key of its line in `EXPECTED`, and its request. */
interface Row {
  op: string;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  prepare?: (ctx: TestContext, world: World) => Promise<Record<string, string>>;
  fresh?: boolean;
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
    { op: `GET ${list}`, path: (i) => tmPath(i, `/${child.segment}`) },
    {
      op: `POST ${list}`,
      path: (i) => tmPath(i, `/${child.segment}`),
      body: () => child.body,
    },
    { op: `GET ${one}`, path: item, prepare },
    { op: `PUT ${one}`, path: item, prepare, body: () => child.body },
    {
      op: `PATCH ${one}`,
      path: item,
      prepare,
      body: () => [{ op: 'replace', path: '/name', value: 'P' }],
    },
    { op: `DELETE ${one}`, path: item, prepare },
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
    },
    {
      op: `PUT ${list}`,
      path: (i) => `${owner.at(i)}/metadata`,
      prepare: owner.prepare,
      body: () => [{ key: 'a', value: '1' }],
    },
    { op: `GET ${list}/{key}`, path: key, prepare: withKey },
    {
      op: `PUT ${list}/{key}`,
      path: key,
      prepare: fresh,
      body: () => ({ value: 'v' }),
    },
    { op: `DELETE ${list}/{key}`, path: key, prepare: withKey },
  ];
}

/** Mitigations, links, and (below) suggestions: a fresh mitigation/threat per cell. */
function KNOWLEDGE_ROWS(): Row[] {
  const M = '/api/threat_models/{tm}/mitigations';
  const L = '/api/threat_models/{tm}/threats/{threat_id}/mitigations/{mitigation_id}';
  const body = { name: 'Rate limit', status: 'proposed', risk_reduction: 40 };
  const mitigation: Row['prepare'] = async (_c, w) => ({
    id: (await ctx.as(users.owner).post(tmPath({ tm: w.tm.id } as Ids, '/mitigations'), body)).body
      .id as string,
  });
  const pair: Row['prepare'] = async (c, w) => ({
    ...(await mitigation(c, w)),
    threat: (await createChild(CHILDREN[0])(c, w)).id,
  });
  const linked: Row['prepare'] = async (c, w) => {
    const ids = await pair(c, w);
    await ctx
      .as(users.owner)
      .put(tmPath({ tm: w.tm.id } as Ids, `/threats/${ids.threat}/mitigations/${ids.id}`));
    return ids;
  };
  const S = '/api/threat_models/{tm}/diagrams/{diagram_id}/suggestions';
  const sugg = (i: Ids, rest = '') => tmPath(i, `/diagrams/${i.id}/suggestions${rest}`);
  const one = (i: Ids) => tmPath(i, `/mitigations/${i.id}`);
  const link = (i: Ids) => tmPath(i, `/threats/${i.threat}/mitigations/${i.id}`);
  return [
    { op: `GET ${M}`, path: (i) => tmPath(i, '/mitigations') },
    { op: `POST ${M}`, path: (i) => tmPath(i, '/mitigations'), body: () => body },
    { op: `GET ${M}/{mitigation_id}`, path: one, prepare: mitigation },
    {
      op: `PUT ${M}/{mitigation_id}`,
      path: one,
      prepare: mitigation,
      body: () => ({ ...body, status: 'implemented' }),
    },
    { op: `DELETE ${M}/{mitigation_id}`, path: one, prepare: mitigation },
    { op: `PUT ${L}`, path: link, prepare: pair },
    { op: `DELETE ${L}`, path: link, prepare: linked },
    { op: `GET ${S}`, path: (i) => sugg(i), prepare: createChild(CHILDREN[1]) },
    {
      op: `POST ${S}/apply`,
      path: (i) => sugg(i, '/apply'),
      prepare: createChild(CHILDREN[1]),
      body: () => ({ items: [{ cell_id: CELL_ID, rule_id: 'stride.process.spoofing' }] }),
    },
    {
      op: `POST ${S}/dismiss`,
      path: (i) => sugg(i, '/dismiss'),
      prepare: createChild(CHILDREN[1]),
      body: () => ({
        items: [{ cell_id: CELL_ID, rule_id: 'stride.process.spoofing', reason: 'n/a' }],
      }),
    },
  ];
}

const CONTENT_ROWS: Row[] = [
  ...CHILDREN.flatMap(childRows),
  {
    op: 'POST /api/threat_models/{tm}/threats/bulk',
    path: (i) => tmPath(i, '/threats/bulk'),
    body: () => [{ name: 'A' }, { name: 'B' }],
  },
  ...METADATA_OWNERS.flatMap(metadataRows),
  ...KNOWLEDGE_ROWS(),
];

/*
 * Live collaboration (sessions, tickets, versions) and review (comments, reviews). Diagrams are
 * created per cell so every caller meets the same state; review rows get a fresh world because
 * they move the model's status.
 */
const createDiagram = createChild(CHILDREN[1]);
const diagramPath = (i: Ids, rest: string) => tmPath(i, `/diagrams/${i.id}${rest}`);
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

const LIVE_AND_REVIEW_ROWS: Row[] = [
  {
    op: `GET ${D}/collaborate`,
    path: (i) => diagramPath(i, '/collaborate'),
    prepare: withSession,
  },
  {
    op: `POST ${D}/collaborate`,
    path: (i) => diagramPath(i, '/collaborate'),
    prepare: createDiagram,
  },
  {
    op: `DELETE ${D}/collaborate`,
    path: (i) => diagramPath(i, '/collaborate'),
    prepare: withSession,
  },
  {
    op: 'POST /api/collab/tickets',
    path: () => '/api/collab/tickets',
    prepare: createDiagram,
    body: (i) => ({ diagram_id: i.id }),
  },
  {
    op: `GET ${D}/versions`,
    path: (i) => diagramPath(i, '/versions'),
    prepare: createDiagram,
  },
  {
    op: `POST ${D}/versions`,
    path: (i) => diagramPath(i, '/versions'),
    prepare: createDiagram,
    body: () => ({ change_description: 'checkpoint' }),
  },
  {
    op: `GET ${D}/versions/{version_number}`,
    path: (i) => diagramPath(i, '/versions/1'),
    prepare: withVersion,
  },
  {
    op: 'POST /api/threat_models/import',
    path: () => '/api/threat_models/import',
    body: () => ({
      summary: { title: 'Imported' },
      detail: { contributors: [], diagrams: [], diagramTop: 0, reviewer: '', threatTop: 0 },
      version: '2.3.0',
    }),
  },
  {
    op: `GET ${D}/image`,
    path: (i) => diagramPath(i, '/image?format=svg'),
    prepare: createDiagram,
  },
  { op: `GET ${TM}/export`, path: (i) => tmPath(i, '/export?format=threatroom') },
  { op: `GET ${TM}/report`, path: (i) => tmPath(i, '/report') },
  {
    op: `POST ${D}/duplicate`,
    path: (i) => diagramPath(i, '/duplicate'),
    prepare: createDiagram,
    body: () => ({ with_threats: true }),
  },
  {
    op: `POST ${D}/versions/{version_number}/restore`,
    path: (i) => diagramPath(i, '/versions/1/restore'),
    prepare: withVersion,
  },
  {
    op: `GET ${D}/versions/{version_number}/diff`,
    path: (i) => diagramPath(i, '/versions/1/diff?to=live'),
    prepare: withVersion,
  },
  {
    op: 'GET /api/threat_models/{tm}/comments',
    path: (i) => tmPath(i, '/comments'),
  },
  {
    op: 'POST /api/threat_models/{tm}/comments',
    path: (i) => tmPath(i, '/comments'),
    body: () => ({ body: 'a review remark' }),
  },
  {
    op: 'GET /api/threat_models/{tm}/comments/{id}',
    path: (i) => tmPath(i, `/comments/${i.id}`),
    prepare: withComment,
  },
  {
    op: 'PATCH /api/threat_models/{tm}/comments/{id}',
    path: (i) => tmPath(i, `/comments/${i.id}`),
    prepare: withComment,
    body: () => ({ body: 'edited' }),
  },
  {
    op: 'DELETE /api/threat_models/{tm}/comments/{id}',
    path: (i) => tmPath(i, `/comments/${i.id}`),
    prepare: withComment,
  },
  {
    op: 'POST /api/threat_models/{tm}/comments/{id}/resolve',
    path: (i) => tmPath(i, `/comments/${i.id}/resolve`),
    prepare: withComment,
  },
  {
    op: 'POST /api/threat_models/{tm}/comments/{id}/reopen',
    path: (i) => tmPath(i, `/comments/${i.id}/reopen`),
    prepare: withComment,
  },
  {
    op: 'GET /api/threat_models/{tm}/reviews',
    path: (i) => tmPath(i, '/reviews'),
  },
  {
    op: 'POST /api/threat_models/{tm}/reviews',
    path: (i) => tmPath(i, '/reviews'),
    body: () => ({ note: 'please review' }),
    fresh: true,
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
  },
];

const ROWS: Row[] = [
  { op: 'GET /api/users', path: () => '/api/users?q=user' },
  { op: 'GET /api/teams', path: () => '/api/teams' },
  {
    op: 'POST /api/teams',
    path: () => '/api/teams',
    body: () => ({ name: 'T' }),
  },
  { op: 'GET /api/teams/{id}', path: (i) => `/api/teams/${i.team}` },
  {
    op: 'PUT /api/teams/{id}',
    path: (i) => `/api/teams/${i.team}`,
    body: () => ({ name: 'Renamed' }),
  },
  {
    op: 'DELETE /api/teams/{id}',
    path: (i) => `/api/teams/${i.team}`,
    fresh: true,
  },
  {
    op: 'PUT /api/teams/{id}/members/{user_id}',
    path: (i) => `/api/teams/${i.team}/members/${i.user}`,
    prepare: newUserId,
    body: () => ({ role: 'member' }),
  },
  {
    op: 'DELETE /api/teams/{id}/members/{user_id}',
    path: (i) => `/api/teams/${i.team}/members/${i.user}`,
    prepare: async (ctx, w) => {
      const user = await ctx.newUser();
      await ctx.addTeamMember(w.team, user);
      return { user: user.id };
    },
  },
  { op: 'GET /api/threat_models', path: () => '/api/threat_models' },
  {
    op: 'POST /api/threat_models',
    path: () => '/api/threat_models',
    body: () => ({ name: 'New' }),
  },
  { op: 'GET /api/threat_models/{tm}', path: (i) => tmPath(i) },
  {
    op: 'PUT /api/threat_models/{tm}',
    path: (i) => tmPath(i),
    body: () => ({ name: 'Replaced' }),
  },
  {
    op: 'PATCH /api/threat_models/{tm}',
    path: (i) => tmPath(i),
    body: () => [{ op: 'replace', path: '/description', value: 'patched' }],
  },
  {
    op: 'DELETE /api/threat_models/{tm}',
    path: (i) => tmPath(i),
    fresh: true,
  },
  {
    op: 'GET /api/threat_models/{tm}/access',
    path: (i) => tmPath(i, '/access'),
  },
  {
    op: 'PUT /api/threat_models/{tm}/access/{principal_type}/{principal_id}',
    path: (i) => tmPath(i, `/access/user/${i.user}`),
    prepare: newUserId,
    body: () => ({ role: 'reader' }),
  },
  {
    op: 'DELETE /api/threat_models/{tm}/access/{principal_type}/{principal_id}',
    path: (i) => tmPath(i, `/access/user/${i.user}`),
    prepare: async (ctx, w) => {
      const user = await ctx.newUser();
      await ctx.grant(w.tm, user, 'reader');
      return { user: user.id };
    },
  },
  { op: 'GET /api/threat_models/{tm}/invitations', path: (i) => tmPath(i, '/invitations') },
  {
    op: 'POST /api/threat_models/{tm}/invitations',
    path: (i) => tmPath(i, '/invitations'),
    body: () => ({ email: `invited-${randomUUID()}@example.com`, role: 'reader' }),
  },
  {
    op: 'DELETE /api/threat_models/{tm}/invitations/{invitation_id}',
    path: (i) => tmPath(i, `/invitations/${i.invitation}`),
    prepare: async (ctx, w) => {
      const { row } = await invitationsRepo.upsertInvitation(ctx.db.db, {
        threatModelId: w.tm.id,
        email: `invited-${randomUUID()}@example.com`,
        role: 'reader',
        invitedBy: (await ctx.newUser()).id,
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      return { invitation: row.id };
    },
  },
  { op: 'GET /api/threat_models/{tm}/people', path: (i) => tmPath(i, '/people?q=a') },
  {
    op: 'GET /api/threat_models/{tm}/audit',
    path: (i) => tmPath(i, '/audit'),
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

  it('has exactly one request in ROWS for each line of EXPECTED', () => {
    const ops = ROWS.map((r) => r.op);
    expect(
      ops.filter((op, i) => ops.indexOf(op) !== i),
      'operations with two rows',
    ).toEqual([]);
    expect(
      ops.filter((op) => !(op in EXPECTED)),
      'rows without a line in EXPECTED',
    ).toEqual([]);
    expect(
      Object.keys(EXPECTED).filter((op) => !ops.includes(op)),
      'lines without a row',
    ).toEqual([]);
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
      const expected = EXPECTED[row.op];
      expect(expected, `add a line for ${row.op} to EXPECTED`).toBeDefined();
      expect(actual).toEqual(Object.fromEntries(WHO.map((who, i) => [who, expected![i]])));
    });
  }
});
