import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import { createRouter, jsonBody, jsonResponse, operation, problems } from '../openapi';
import * as service from '../services/invitations.service';

const ModelParams = z.object({ tm: z.uuid().openapi({ description: 'Threat model id' }) });

const InvitationSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role: z.enum(ROLES),
    invited_by: z.uuid().nullable(),
    invited_by_name: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
  })
  .openapi('Invitation');

type InvitationView = {
  invitation: {
    id: string;
    email: string;
    role: (typeof ROLES)[number];
    invitedBy: string | null;
    createdAt: Date;
    expiresAt: Date;
  };
  invitedByName: string | null;
};

const toInvitation = ({ invitation: i, invitedByName }: InvitationView) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  invited_by: i.invitedBy,
  invited_by_name: invitedByName,
  created_at: i.createdAt.toISOString(),
  expires_at: i.expiresAt.toISOString(),
});

const list = operation('access', {
  method: 'get',
  path: '/',
  operationId: 'listInvitations',
  summary: 'List invitations',
  description:
    'Owners only. Roles granted to e-mail addresses that have no account yet. Expired invitations are listed until revoked or replaced; they are never accepted.',
  request: { params: ModelParams },
  responses: {
    200: jsonResponse(z.object({ items: z.array(InvitationSchema) }), 'Pending invitations'),
    ...problems(400, 401, 403, 404),
  },
});

const invite = operation('access', {
  method: 'post',
  path: '/',
  operationId: 'createInvitation',
  summary: 'Invite an e-mail address',
  description:
    'Owners only; 201 for a new invitation, 200 when renewed. When someone signs up with this e-mail they get the role on this model and a "shared with you" notification. Inviting the same address again changes the role and renews the 14-day expiry. An address that already has an account is a 409 (`account_exists`): grant the role to the user instead. At most 100 pending invitations per model (409 `invitation_limit`).',
  request: {
    params: ModelParams,
    body: jsonBody(
      z.object({
        email: z.email().max(254),
        role: z.enum(ROLES),
      }),
    ),
  },
  responses: {
    200: jsonResponse(InvitationSchema, 'Renewed (role updated)'),
    201: jsonResponse(InvitationSchema, 'Invited'),
    ...problems(400, 401, 403, 404, 409, 413, 415),
  },
});

const revoke = operation('access', {
  method: 'delete',
  path: '/{invitation_id}',
  operationId: 'revokeInvitation',
  summary: 'Revoke an invitation',
  description: 'Owners only. The address no longer gets the role when it signs up.',
  request: { params: ModelParams.extend({ invitation_id: z.uuid() }) },
  responses: { 204: { description: 'Revoked' }, ...problems(400, 401, 403, 404) },
});

/** `/api/threat_models/{tm}/invitations…`: pending grants for people without an account. */
export function invitationsRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const rows = await service.listInvitations(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
      });
      return c.json({ items: rows.map(toInvitation) }, 200);
    })
    .openapi(invite, async (c) => {
      const result = await service.inviteToModel(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        ...c.req.valid('json'),
      });
      return c.json(toInvitation(result), result.created ? 201 : 200);
    })
    .openapi(revoke, async (c) => {
      const { tm, invitation_id } = c.req.valid('param');
      await service.revokeInvitation(db, serviceRequest(c), {
        threatModelId: tm,
        invitationId: invitation_id,
      });
      return c.body(null, 204);
    });
}
