import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { DiagramVersionRow } from '../../db/repositories/diagram-versions.repository';
import { VERSION_KINDS } from '../../db/schema/enums';
import type { AppDeps, AppEnv } from '../context';
import { forwardedHeadersTrusted, pageOf, serviceRequest } from '../http';
import { requestOrigin } from '../middleware/request-guards';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  listOf,
  operation,
  Pagination,
  problems,
} from '../openapi';
import { CellSchema } from '../schemas/diagrams.schemas';
import { ThreatSnapshotSchema, VersionDiffSchema } from '../schemas/versions.schemas';
import * as collaboration from '../services/collaboration.service';
import * as versions from '../services/versions.service';
import { ModelParams } from './model-scoped';
import { iso, UserSummarySchema } from './serializers';

const DiagramParams = ModelParams.extend({ diagram_id: z.uuid() });
const VersionParams = DiagramParams.extend({ version_number: z.coerce.number().int().min(1) });

const ParticipantSchema = z
  .object({ user: UserSummarySchema, role: z.string(), joined_at: z.string() })
  .openapi('SessionParticipant');

const SessionSchema = z
  .object({
    session_id: z.uuid(),
    diagram_id: z.uuid(),
    threat_model_id: z.uuid(),
    created_at: z.string(),
    participants: z.array(ParticipantSchema),
    websocket_url: z.string().openapi({
      description: 'Connect a y-websocket WebsocketProvider to this URL (room = diagram id)',
    }),
  })
  .openapi('CollaborationSession');

const VersionSummarySchema = z
  .object({
    version_number: z.number().int(),
    kind: z.enum(VERSION_KINDS).openapi({
      description:
        '`auto` (the server, while editing or when a session ends), `manual`, `restore` (the result of a restore), `pre_wipe` (before a live update deleted many cells, or when a session starts on a changed document), `pre_restore` (what a restore replaced), `approval` (pinned by a sign-off or approval)',
    }),
    change_description: z.string().nullable(),
    restored_from: z.number().int().nullable(),
    created_by: z.uuid().nullable(),
    created_by_name: z.string().nullable(),
    created_at: z.string(),
    cell_count: z.number().int(),
    threat_count: z.number().int(),
  })
  .openapi('DiagramVersionSummary');

const VersionSchema = VersionSummarySchema.extend({
  cells: z.array(CellSchema),
  threats: z.array(ThreatSnapshotSchema),
}).openapi('DiagramVersion');

const TicketSchema = z
  .object({ ticket: z.string(), websocket_url: z.string(), expires_at: z.string() })
  .openapi('CollabTicket');

/** ws(s)://host/collab/<diagram>: PUBLIC_URL when configured, else the request's own origin. */
function websocketUrl(c: Context<AppEnv>, diagramId: string): string {
  const { config } = c.get('deps');
  const origin = config.PUBLIC_URL
    ? new URL(config.PUBLIC_URL).origin
    : requestOrigin(c.req.url, c.req.raw.headers, forwardedHeadersTrusted(c));
  return `${origin.replace(/^http/, 'ws')}/collab/${diagramId}`;
}

type Participant = Awaited<ReturnType<typeof collaboration.getSession>>['participants'][number];

function toSession(
  c: Context<AppEnv>,
  session: { id: string; diagramId: string; threatModelId: string; createdAt: Date },
  participants: Participant[],
) {
  return {
    session_id: session.id,
    diagram_id: session.diagramId,
    threat_model_id: session.threatModelId,
    created_at: session.createdAt.toISOString(),
    participants: participants.map((p) => ({
      user: p.user,
      role: p.role,
      joined_at: p.joinedAt.toISOString(),
    })),
    websocket_url: websocketUrl(c, session.diagramId),
  };
}

type VersionSummaryRow = Pick<
  DiagramVersionRow,
  'versionNumber' | 'kind' | 'changeDescription' | 'restoredFrom' | 'createdBy' | 'createdAt'
> & {
  cellCount?: number;
  cells?: unknown[];
  threatCount?: number;
  threats?: unknown[];
  createdByName?: string | null;
};

function toVersionSummary(row: VersionSummaryRow) {
  return {
    version_number: row.versionNumber,
    kind: row.kind,
    change_description: row.changeDescription,
    restored_from: row.restoredFrom,
    created_by: row.createdBy,
    created_by_name: row.createdByName ?? null,
    created_at: iso(row.createdAt)!,
    cell_count: row.cellCount ?? row.cells?.length ?? 0,
    threat_count: row.threatCount ?? row.threats?.length ?? 0,
  };
}

const base = '/threat_models/{tm}/diagrams/{diagram_id}';

const getCollab = operation('collaboration', {
  operationId: 'getCollaborationSession',
  method: 'get',
  path: `${base}/collaborate`,
  summary: 'Get the collaboration session',
  description:
    "The diagram's open collaboration session and its participants (404 when none is open).",
  request: { params: DiagramParams },
  responses: {
    200: jsonResponse(SessionSchema, 'The open session'),
    ...problems(400, 401, 404),
  },
});

const joinCollab = operation('collaboration', {
  operationId: 'joinCollaborationSession',
  method: 'post',
  path: `${base}/collaborate`,
  summary: 'Join the collaboration session',
  description:
    'Joins the diagram session, opening it when none is open. ' +
    'Readers and reviewers join view-only. 201 when the session was opened, else 200.',
  request: { params: DiagramParams },
  responses: {
    200: jsonResponse(SessionSchema, 'Joined the open session'),
    201: jsonResponse(SessionSchema, 'Opened a session and joined it'),
    ...problems(400, 401, 403, 404),
  },
});

const leaveCollab = operation('collaboration', {
  operationId: 'leaveCollaborationSession',
  method: 'delete',
  path: `${base}/collaborate`,
  summary: 'Leave the collaboration session',
  description: 'Leaves the diagram session; the last one out ends it.',
  request: { params: DiagramParams },
  responses: { 204: { description: 'Left' }, ...problems(400, 401, 403, 404) },
});

const mySessions = operation('collaboration', {
  operationId: 'listMyCollaborationSessions',
  method: 'get',
  path: '/me/sessions',
  summary: 'List my collaboration sessions',
  description: 'The open collaboration sessions the caller takes part in, newest first.',
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(SessionSchema.extend({ diagram_name: z.string() })) }),
      'Sessions, newest first',
    ),
    ...problems(401),
  },
});

const createTicket = operation('collaboration', {
  operationId: 'createCollaborationTicket',
  method: 'post',
  path: '/collab/tickets',
  summary: 'Create a WebSocket ticket',
  description:
    'A single-use ticket, valid for 30 seconds, that opens the WebSocket of one diagram (reader and above on its model). ' +
    'For clients that cannot send the session cookie: `new WebsocketProvider(url, diagramId, ' +
    'doc, { params: { ticket } })`. Rate limited per user (TICKET_CREATE_MAX_PER_USER, 429).',
  request: { body: jsonBody(z.object({ diagram_id: z.uuid() })) },
  responses: {
    201: jsonResponse(TicketSchema, 'Issued'),
    ...problems(400, 401, 403, 404, 415, 429),
  },
});

const listVersions = operation('versions', {
  operationId: 'listDiagramVersions',
  method: 'get',
  path: `${base}/versions`,
  summary: 'List diagram versions',
  description: "A diagram's versions (`auto`, `manual`, `restore`), newest first.",
  request: { params: DiagramParams, query: Pagination },
  responses: {
    200: jsonResponse(listOf(VersionSummarySchema, 'DiagramVersionList'), 'One page'),
    ...problems(400, 401, 404),
  },
});

const createVersion = operation('versions', {
  operationId: 'createDiagramVersion',
  method: 'post',
  path: `${base}/versions`,
  summary: 'Record a diagram version',
  description: 'Records a `manual` version of the diagram as it is now (writer or owner).',
  request: {
    params: DiagramParams,
    body: jsonBody(z.object({ change_description: z.string().max(4096).nullable().optional() })),
  },
  responses: {
    201: jsonResponse(VersionSummarySchema, 'Recorded'),
    ...problems(400, 401, 403, 404, 415),
  },
});

const getVersion = operation('versions', {
  operationId: 'getDiagramVersion',
  method: 'get',
  path: `${base}/versions/{version_number}`,
  summary: 'Get a diagram version',
  description: 'One version of a diagram with its cells.',
  request: { params: VersionParams },
  responses: { 200: jsonResponse(VersionSchema, 'The version'), ...problems(400, 401, 404) },
});

const restoreVersion = operation('versions', {
  operationId: 'restoreDiagramVersion',
  method: 'post',
  path: `${base}/versions/{version_number}/restore`,
  summary: 'Restore a diagram version',
  description:
    "Restores a version's cells into the live document (writer or owner). " +
    'First records a `pre_restore` version of what the restore replaces (restore that one to ' +
    'bring the work back). Applied as one transaction on the live document, so every ' +
    'participant sees it; the history stays. Records a `restore` version and returns both ' +
    'versions with the resulting cells.',
  request: { params: VersionParams },
  responses: {
    200: jsonResponse(
      z.object({
        version: VersionSummarySchema,
        pre_restore: VersionSummarySchema,
        cells: z.array(CellSchema),
      }),
      'Restored',
    ),
    ...problems(400, 401, 403, 404),
  },
});

const diffVersion = operation('versions', {
  operationId: 'diffDiagramVersion',
  method: 'get',
  path: `${base}/versions/{version_number}/diff`,
  summary: 'Compare a diagram version',
  description:
    'What changed from this version to version `to`, or to the live diagram (`to=live`, the default): cells added, removed and changed field by field (`kinds`: label, moved, resized, reconnected, properties; `z_index` is ignored), and threats added, removed and changed (status, severity, risk, mitigations, …). Any role may read it.',
  request: {
    params: VersionParams,
    query: z.object({
      to: z
        .union([z.literal('live'), z.coerce.number().int().min(1)])
        .default('live')
        .openapi({ description: 'A version number, or `live`', type: 'string' }),
    }),
  },
  responses: {
    200: jsonResponse(VersionDiffSchema, 'The changes'),
    ...problems(400, 401, 404),
  },
});

/** The model and diagram a `{tm}/diagrams/{diagram_id}` path names. */
const diagramRef = (p: { tm: string; diagram_id: string }) => ({
  threatModelId: p.tm,
  diagramId: p.diagram_id,
});

/**
 * Live collaboration over REST: sessions, WebSocket tickets and diagram versions. Mounted at
 * /api.
 */
export function collaborationRoutes(deps: AppDeps) {
  const db = deps.db.db;
  const v = { db, live: deps.live };
  return createRouter()
    .openapi(getCollab, async (c) => {
      const { session, participants } = await collaboration.getSession(
        db,
        serviceRequest(c),
        diagramRef(c.req.valid('param')),
      );
      return c.json(toSession(c, session, participants), 200);
    })
    .openapi(joinCollab, async (c) => {
      const joined = await collaboration.joinSession(
        db,
        serviceRequest(c),
        diagramRef(c.req.valid('param')),
      );
      return c.json(toSession(c, joined.session, joined.participants), joined.created ? 201 : 200);
    })
    .openapi(leaveCollab, async (c) => {
      await collaboration.leaveSession(db, serviceRequest(c), diagramRef(c.req.valid('param')));
      return c.body(null, 204);
    })
    .openapi(mySessions, async (c) => {
      const rows = await collaboration.listMySessions(db, serviceRequest(c));
      const items = rows.map((r) => ({
        ...toSession(c, r.session, r.participants),
        diagram_name: r.diagramName,
      }));
      return c.json({ items }, 200);
    })
    .openapi(createTicket, async (c) => {
      const { diagram_id } = c.req.valid('json');
      const request = serviceRequest(c);
      await deps.limits.ticketCreateUser.consume(request.user.id);
      const { ticket, expiresAt } = await collaboration.createTicket(db, request, {
        diagramId: diagram_id,
      });
      return c.json(
        {
          ticket,
          websocket_url: websocketUrl(c, diagram_id),
          expires_at: expiresAt.toISOString(),
        },
        201,
      );
    })
    .openapi(listVersions, async (c) => {
      const { limit, offset } = c.req.valid('query');
      const page = await versions.listVersions(v, serviceRequest(c), {
        ...diagramRef(c.req.valid('param')),
        page: { limit, offset },
      });
      return c.json(pageOf(page, toVersionSummary, { limit, offset }), 200);
    })
    .openapi(createVersion, async (c) => {
      const row = await versions.createVersion(v, serviceRequest(c), {
        ...diagramRef(c.req.valid('param')),
        version: c.req.valid('json'),
      });
      return c.json(toVersionSummary(row), 201);
    })
    .openapi(getVersion, async (c) => {
      const params = c.req.valid('param');
      const row = await versions.getVersion(v, serviceRequest(c), {
        ...diagramRef(params),
        versionNumber: params.version_number,
      });
      return c.json(
        {
          ...toVersionSummary(row),
          cells: row.cells as z.infer<typeof CellSchema>[],
          threats: row.threats as z.infer<typeof ThreatSnapshotSchema>[],
        },
        200,
      );
    })
    .openapi(diffVersion, async (c) => {
      const params = c.req.valid('param');
      const { to } = c.req.valid('query');
      const { diff, changeCount } = await versions.diffVersion(v, serviceRequest(c), {
        ...diagramRef(params),
        from: params.version_number,
        to,
      });
      return c.json(
        {
          from: { version_number: params.version_number },
          to: { version_number: to === 'live' ? null : to },
          ...diff,
          change_count: changeCount,
        },
        200,
      );
    })
    .openapi(restoreVersion, async (c) => {
      const params = c.req.valid('param');
      const { version, preRestore, cells } = await versions.restoreVersion(v, serviceRequest(c), {
        ...diagramRef(params),
        versionNumber: params.version_number,
      });
      return c.json(
        {
          version: toVersionSummary(version),
          pre_restore: toVersionSummary(preRestore),
          cells: cells as unknown as z.infer<typeof CellSchema>[],
        },
        200,
      );
    });
}
