import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const RANDOM = '00000000-0000-4000-8000-000000000000';

describe('POST /api/threat_models', () => {
  it('requires auth', async () => {
    expectProblem(await ctx.anonymous().post('/api/threat_models', { name: 'x' }), 401);
    expectProblem(await ctx.anonymous().get('/api/threat_models'), 401);
  });

  it('rejects bad input with problem+json', async () => {
    const user = await ctx.newUser();
    const api = ctx.as(user);
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(257) },
      { name: 'x', description: 'd'.repeat(4097) },
      { name: 'x', framework: 'OWASP' },
      { name: 'x', issue_url: 'javascript:alert(1)' },
      { name: 'nul\u0000byte' },
    ]) {
      expectProblem(await api.post('/api/threat_models', body), 400);
    }
  });

  it('makes the creator the owner: grant, my_role, version, counts and ETag', async () => {
    const user = await ctx.newUser();
    const res = await ctx.as(user).post('/api/threat_models', {
      name: 'Payments',
      framework: 'LINDDUN',
      issue_url: 'https://tracker.example.com/1',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({
      name: 'Payments',
      framework: 'LINDDUN',
      status: 'draft',
      owner_id: user.id,
      owner: { id: user.id, email: user.email },
      my_role: 'owner',
      version: 1,
      threat_count: 0,
      diagram_count: 0,
      document_count: 0,
      repository_count: 0,
      authorization: [{ principal_type: 'user', principal_id: user.id, role: 'owner' }],
    });
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
  });
});

describe('GET /api/threat_models', () => {
  it('lists only visible models (user, team, everyone grants) with my_role and total', async () => {
    const owner = await ctx.newUser();
    const me = await ctx.newUser();
    const team = await ctx.newTeam(owner);
    await ctx.addTeamMember(team, me);
    const mine = await ctx.newThreatModel(me, { name: 'zz-mine' });
    const viaTeam = await ctx.newThreatModel(owner, { name: 'zz-team' });
    await ctx.grant(viaTeam, { team }, 'writer');
    const viaEveryone = await ctx.newThreatModel(owner, { name: 'zz-everyone' });
    await ctx.grant(viaEveryone, 'everyone', 'reader');
    const hidden = await ctx.newThreatModel(owner, { name: 'zz-hidden' });

    const res = await ctx.as(me).get('/api/threat_models?q=zz-&sort=name:asc');
    expect(res.status).toBe(200);
    const seen = res.body.items.map((m: any) => [m.name, m.my_role]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['zz-everyone', 'reader'],
        ['zz-mine', 'owner'],
        ['zz-team', 'writer'],
      ]),
    );
    expect(res.body.items.map((m: any) => m.id)).not.toContain(hidden.id);
    expect(res.body.items.map((m: any) => m.id)).toEqual(
      expect.arrayContaining([mine.id, viaTeam.id, viaEveryone.id]),
    );
    expect(res.body.items.every((m: any) => !('authorization' in m))).toBe(true);
  });

  it('filters by status, framework and owner, sorts, and pages with a stable total', async () => {
    const me = await ctx.newUser();
    const other = await ctx.newUser();
    for (let i = 0; i < 5; i++) {
      await ctx.newThreatModel(me, { name: `page-${i}`, framework: i % 2 ? 'CIA' : 'STRIDE' });
    }
    const theirs = await ctx.newThreatModel(other, { name: 'page-theirs' });
    await ctx.grant(theirs, me, 'reader');
    const api = ctx.as(me);

    const page = await api.get('/api/threat_models?q=page-&sort=name:desc&limit=2&offset=2');
    expect(page.body).toMatchObject({ total: 6, limit: 2, offset: 2 });
    expect(page.body.items.map((m: any) => m.name)).toEqual(['page-3', 'page-2']);
    const past = await api.get('/api/threat_models?q=page-&limit=2&offset=50');
    expect(past.body).toMatchObject({ items: [], total: 6 });
    const cia = await api.get('/api/threat_models?q=page-&framework=CIA');
    expect(cia.body.total).toBe(2);
    const byOwner = await api.get(`/api/threat_models?owner=${encodeURIComponent(other.email)}`);
    expect(byOwner.body.items.map((m: any) => m.id)).toEqual([theirs.id]);
    const byOwnerId = await api.get(`/api/threat_models?owner=${other.id}`);
    expect(byOwnerId.body.total).toBe(1);
    const inReview = await api.get('/api/threat_models?q=page-&status=in_review');
    expect(inReview.body.total).toBe(0);
  });

  it('rejects bad filters with problem+json', async () => {
    const api = ctx.as(await ctx.newUser());
    for (const q of ['sort=secret:asc', 'status=done', 'owner=nobody', 'limit=0', 'limit=501']) {
      expectProblem(await api.get(`/api/threat_models?${q}`), 400);
    }
  });

  it('reads one page in one query, whatever the page size', async () => {
    const queries: string[] = [];
    const counted = await createTestContext({ onQuery: (q) => queries.push(q) });
    try {
      const me = await counted.newUser();
      for (let i = 0; i < 12; i++) await counted.newThreatModel(me);
      queries.length = 0;
      const res = await counted.as(me).get('/api/threat_models?limit=10');
      expect(res.body.items).toHaveLength(10);
      // Authentication (session look-up, sliding renewal) plus the page itself.
      const page = queries.filter((q) => q.includes('"threat_models"'));
      expect(page).toHaveLength(1);
    } finally {
      await counted.close();
    }
  });
});

describe('GET/PUT/PATCH/DELETE /api/threat_models/{tm}', () => {
  it('404 on someone else’s model, the same as a random id', async () => {
    const owner = await ctx.newUser();
    const stranger = await ctx.as(await ctx.newUser());
    const tm = await ctx.newThreatModel(owner);
    for (const id of [tm.id, RANDOM]) {
      expectProblem(await stranger.get(`/api/threat_models/${id}`), 404, 'not_found');
      expectProblem(await stranger.put(`/api/threat_models/${id}`, { name: 'x' }), 404);
      expectProblem(
        await stranger.patch(`/api/threat_models/${id}`, [
          { op: 'replace', path: '/name', value: 'x' },
        ]),
        404,
      );
      expectProblem(await stranger.delete(`/api/threat_models/${id}`), 404);
    }
    expectProblem(await stranger.get('/api/threat_models/not-a-uuid'), 400);
  });

  it('GET returns the model with ETag; PUT replaces and bumps the version', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner, { description: 'old', framework: 'CIA' });
    const api = ctx.as(owner);
    const got = await api.get(`/api/threat_models/${tm.id}`);
    expect(got.headers.get('etag')).toBe('"1"');
    const put = await api.put(
      `/api/threat_models/${tm.id}`,
      { name: 'Renamed' },
      { 'if-match': '"1"' },
    );
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    expect(put.body).toMatchObject({
      name: 'Renamed',
      description: null,
      framework: 'STRIDE',
      version: 2,
    });
  });

  it('stale If-Match → 412, nothing changed, no audit entry', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    const auditBefore = (await api.get(`/api/threat_models/${tm.id}/audit`)).body.items.length;
    expectProblem(
      await api.put(`/api/threat_models/${tm.id}`, { name: 'x' }, { 'if-match': '"7"' }),
      412,
      'version_mismatch',
    );
    expectProblem(
      await api.patch(
        `/api/threat_models/${tm.id}`,
        [{ op: 'replace', path: '/name', value: 'y' }],
        {
          'if-match': '"7"',
        },
      ),
      412,
    );
    expectProblem(await api.delete(`/api/threat_models/${tm.id}`, { 'if-match': '"7"' }), 412);
    expectProblem(
      await api.put(`/api/threat_models/${tm.id}`, { name: 'x' }, { 'if-match': 'seven' }),
      400,
    );
    const after = await api.get(`/api/threat_models/${tm.id}`);
    expect(after.body).toMatchObject({ name: tm.name, version: 1 });
    expect((await api.get(`/api/threat_models/${tm.id}/audit`)).body.items).toHaveLength(
      auditBefore,
    );
  });

  it('PATCH applies JSON Patch over the allow-list: 400 outside, 409 failed test', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    const url = `/api/threat_models/${tm.id}`;
    const ok = await api.patch(url, [
      { op: 'test', path: '/name', value: tm.name },
      { op: 'replace', path: '/name', value: 'Patched' },
      { op: 'replace', path: '/issue_url', value: 'https://example.com/i/2' },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      name: 'Patched',
      issue_url: 'https://example.com/i/2',
      version: 2,
    });
    expectProblem(await api.patch(url, [{ op: 'replace', path: '/version', value: 9 }]), 400);
    expectProblem(await api.patch(url, [{ op: 'replace', path: '/name', value: '' }]), 400);
    expectProblem(await api.patch(url, [{ op: 'test', path: '/name', value: 'nope' }]), 409);
    expectProblem(await api.patch(url, { op: 'replace' }), 400);
  });

  it('status moves: writers submit, approval only through the review decision, invalid moves are 409', async () => {
    const owner = await ctx.newUser();
    const writer = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, writer, 'writer');
    const url = `/api/threat_models/${tm.id}`;
    const status = (value: string) => [{ op: 'replace', path: '/status', value }];
    // Nobody PATCHes or PUTs a model into approved: the problem points to the decision.
    for (const who of [writer, owner]) {
      const res = await ctx.as(who).patch(url, status('approved'));
      expectProblem(res, 409, 'approval_via_review_decision');
      expect(res.body.detail).toContain('/reviews/decision');
    }
    expect((await ctx.as(writer).patch(url, status('in_review'))).status).toBe(200);
    expectProblem(
      await ctx.as(owner).put(url, { name: tm.name, status: 'approved' }),
      409,
      'approval_via_review_decision',
    );
    const decided = await ctx.as(owner).post(`${url}/reviews/decision`, { decision: 'approved' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect((await ctx.as(owner).get(url)).body).toMatchObject({
      status: 'approved',
      status_updated_at: expect.any(String),
    });
    expectProblem(await ctx.as(writer).patch(url, status('draft')), 403);
    expect((await ctx.as(owner).patch(url, status('archived'))).status).toBe(200);
    expectProblem(await ctx.as(writer).patch(url, status('in_review')), 409);
  });

  it('owner_id is owner-only (403 for writers) and must name an owner user (409)', async () => {
    const owner = await ctx.newUser();
    const writer = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, writer, 'writer');
    const url = `/api/threat_models/${tm.id}`;
    const to = (id: string) => [{ op: 'replace', path: '/owner_id', value: id }];
    expectProblem(await ctx.as(writer).patch(url, to(writer.id)), 403);
    expectProblem(await ctx.as(owner).patch(url, to(writer.id)), 409, 'owner_not_granted');
    await ctx.grant(tm, writer, 'owner');
    const moved = await ctx.as(owner).patch(url, to(writer.id));
    expect(moved.body).toMatchObject({ owner_id: writer.id, owner: { id: writer.id } });
  });

  it('DELETE is owner-only; the model and its children go, the audit entry stays', async () => {
    const owner = await ctx.newUser();
    const writer = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, writer, 'writer');
    expectProblem(await ctx.as(writer).delete(`/api/threat_models/${tm.id}`), 403);
    expect(
      (await ctx.as(owner).delete(`/api/threat_models/${tm.id}`, { 'if-match': '"1"' })).status,
    ).toBe(204);
    expectProblem(await ctx.as(owner).get(`/api/threat_models/${tm.id}`), 404);
  });
});
