import { z } from '@hono/zod-openapi';
import type { TeamRow } from '../../db/repositories/teams.repository';
import { TEAM_ROLES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { pageOf, serviceRequest } from '../http';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  listOf,
  operation,
  Pagination,
  problems,
} from '../openapi';
import * as service from '../services/teams.service';
import { Description, Name } from './model-scoped';
import { iso, UserSummarySchema } from './serializers';

const TeamSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
    modified_at: z.string(),
  })
  .openapi('TeamSummary');

const TeamMemberSchema = z
  .object({ user: UserSummarySchema, role: z.enum(TEAM_ROLES), joined_at: z.string() })
  .openapi('TeamMember');

const TeamSchema = TeamSummarySchema.extend({ members: z.array(TeamMemberSchema) }).openapi('Team');

const TeamInputSchema = z.object({ name: Name, description: Description }).openapi('TeamInput');

type Member = Awaited<ReturnType<typeof service.getTeam>>['members'][number];

const toTeamSummary = (t: TeamRow) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  created_by: t.createdBy,
  created_at: t.createdAt.toISOString(),
  modified_at: t.modifiedAt.toISOString(),
});
const toMember = (m: Member) => ({
  user: m.user,
  role: m.member.role,
  joined_at: iso(m.member.createdAt)!,
});
const toTeam = (r: { team: TeamRow; members: Member[] }) => ({
  ...toTeamSummary(r.team),
  members: r.members.map(toMember),
});

const TeamParams = z.object({ id: z.uuid() });
const MemberParams = TeamParams.extend({ user_id: z.uuid() });
const writeProblems = problems(400, 401, 403, 404, 409, 413, 415);

const list = operation('teams', {
  operationId: 'listTeams',
  method: 'get',
  path: '/',
  summary: 'List teams',
  description:
    'All teams by name, so that any signed-in user can find one to share with; `q` filters by name.',
  request: { query: Pagination.extend({ q: z.string().trim().min(1).max(256).optional() }) },
  responses: {
    200: jsonResponse(listOf(TeamSummarySchema, 'TeamList'), 'A page'),
    ...problems(400, 401),
  },
});
const create = operation('teams', {
  operationId: 'createTeam',
  method: 'post',
  path: '/',
  summary: 'Create a team',
  description: 'Creates a team; the caller becomes its creator and first lead.',
  request: { body: jsonBody(TeamInputSchema) },
  responses: { 201: jsonResponse(TeamSchema, 'Created'), ...problems(400, 401, 403, 413, 415) },
});
const get = operation('teams', {
  operationId: 'getTeam',
  method: 'get',
  path: '/{id}',
  summary: 'Get a team',
  description: 'A team with its members and their team roles.',
  request: { params: TeamParams },
  responses: { 200: jsonResponse(TeamSchema, 'The team'), ...problems(400, 401, 404) },
});
const put = operation('teams', {
  operationId: 'updateTeam',
  method: 'put',
  path: '/{id}',
  summary: 'Update a team',
  description: 'Renames or describes a team. Only its creator or a lead may (403).',
  request: { params: TeamParams, body: jsonBody(TeamInputSchema) },
  responses: { 200: jsonResponse(TeamSchema, 'Updated'), ...writeProblems },
});
const remove = operation('teams', {
  operationId: 'deleteTeam',
  method: 'delete',
  path: '/{id}',
  summary: 'Delete a team',
  description:
    'Deletes a team and every grant it holds on threat models. Only its creator or a lead may (403).',
  request: { params: TeamParams },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404) },
});
const putMember = operation('teams', {
  operationId: 'setTeamMember',
  method: 'put',
  path: '/{id}/members/{user_id}',
  summary: 'Add or change a team member',
  description:
    "Adds a user to the team (201) or changes their team role (200). Only the team's creator or a lead may; demoting the last lead is a 409. " +
    'Demoting the last lead is a 409.',
  request: { params: MemberParams, body: jsonBody(z.object({ role: z.enum(TEAM_ROLES) })) },
  responses: {
    200: jsonResponse(TeamMemberSchema, 'Changed'),
    201: jsonResponse(TeamMemberSchema, 'Added'),
    ...writeProblems,
  },
});
const removeMember = operation('teams', {
  operationId: 'removeTeamMember',
  method: 'delete',
  path: '/{id}/members/{user_id}',
  summary: 'Remove a team member',
  description:
    "Removes a member (the team's creator or a lead), or lets a member leave. The last lead cannot go (409).",
  request: { params: MemberParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 401, 403, 404, 409) },
});

/** `/api/teams…`: who may manage a team is its creator and its leads. */
export function teamsRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const page = await service.listTeams(db, serviceRequest(c), query);
      return c.json(pageOf(page, toTeamSummary, query), 200);
    })
    .openapi(create, async (c) => {
      const team = await service.createTeam(db, serviceRequest(c), { team: c.req.valid('json') });
      return c.json(toTeam(team), 201);
    })
    .openapi(get, async (c) => {
      const team = await service.getTeam(db, serviceRequest(c), {
        teamId: c.req.valid('param').id,
      });
      return c.json(toTeam(team), 200);
    })
    .openapi(put, async (c) => {
      const team = await service.replaceTeam(db, serviceRequest(c), {
        teamId: c.req.valid('param').id,
        team: c.req.valid('json'),
      });
      return c.json(toTeam(team), 200);
    })
    .openapi(remove, async (c) => {
      await service.deleteTeam(db, serviceRequest(c), { teamId: c.req.valid('param').id });
      return c.body(null, 204);
    })
    .openapi(putMember, async (c) => {
      const { id, user_id } = c.req.valid('param');
      const r = await service.putMember(db, serviceRequest(c), {
        teamId: id,
        userId: user_id,
        role: c.req.valid('json').role,
      });
      deps.live.accessChanged({ userId: user_id });
      const body = toMember({
        member: r.member,
        user: { id: r.user.id, name: r.user.name, email: r.user.email },
      });
      return r.created ? c.json(body, 201) : c.json(body, 200);
    })
    .openapi(removeMember, async (c) => {
      const { id, user_id } = c.req.valid('param');
      await service.deleteMember(db, serviceRequest(c), { teamId: id, userId: user_id });
      deps.live.accessChanged({ userId: user_id });
      return c.body(null, 204);
    });
}
