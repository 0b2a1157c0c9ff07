import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import { createRouter, jsonBody, jsonResponse, problems, operation } from '../openapi';
import {
  ApplySuggestionsSchema,
  DismissSuggestionsSchema,
  SuggestionListSchema,
  SuggestionQuery,
} from '../schemas/suggestions.schemas';
import { ThreatSchema, toThreat } from '../schemas/threats.schemas';
import * as suggestions from '../services/suggestions.service';
import { ModelParams } from './model-scoped';

const DiagramParams = ModelParams.extend({ diagram_id: z.uuid() });
const base = '/{tm}/diagrams/{diagram_id}/suggestions';

const list = operation('suggestions', {
  method: 'get',
  path: base,
  operationId: 'listSuggestions',
  summary: "What the threat rules suggest for a diagram's cells",
  description:
    'Reader+. Computed from the current cells (the live document when a session is open) ' +
    "under the model's framework (docs/threat-rules.md), minus what is already recorded (a " +
    'threat with the same `cell_id` + `rule_id`) and what was dismissed; with ' +
    '`include=dismissed` the dismissed ones are listed too, with who and why.',
  request: { params: DiagramParams, query: SuggestionQuery },
  responses: {
    200: jsonResponse(SuggestionListSchema, 'The suggestions, in cell then rule order'),
    ...problems(400, 401, 404),
  },
});

const apply = operation('suggestions', {
  method: 'post',
  path: `${base}/apply`,
  operationId: 'applySuggestions',
  summary: 'Record suggestions as threats (bulk, idempotent)',
  description:
    'Writer+. One transaction; each item must be a current suggestion for that cell (else ' +
    '400 and nothing is stored). An item already recorded is skipped, so applying twice — ' +
    'even concurrently — records each threat once. Answers the threats created. Audited as ' +
    '`threat.create` with the rule id.',
  request: { params: DiagramParams, body: jsonBody(ApplySuggestionsSchema) },
  responses: {
    201: jsonResponse(z.object({ items: z.array(ThreatSchema) }), 'The threats created'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const dismiss = operation('suggestions', {
  method: 'post',
  path: `${base}/dismiss`,
  operationId: 'dismissSuggestions',
  summary: 'Dismiss suggestions with a reason',
  description:
    'Writer+. Stored (a dismissal survives restarts) and audited as `suggestion.dismiss`; ' +
    'dismissing again replaces the reason. Listed by GET with `include=dismissed`.',
  request: { params: DiagramParams, body: jsonBody(DismissSuggestionsSchema) },
  responses: { 204: { description: 'Dismissed' }, ...problems(400, 401, 403, 404, 413, 415) },
});

/** Threat suggestions of a diagram. Mounted at /api/threat_models. */
export function suggestionsRoutes(deps: AppDeps) {
  const td = { db: deps.db.db, live: deps.live, logger: deps.logger };
  const refOf = (p: { tm: string; diagram_id: string }) => ({
    threatModelId: p.tm,
    diagramId: p.diagram_id,
  });
  return createRouter()
    .openapi(list, async (c) => {
      const { cell_id, include } = c.req.valid('query');
      const items = await suggestions.listSuggestions(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        cellId: cell_id,
        includeDismissed: include === 'dismissed',
      });
      return c.json({ items }, 200);
    })
    .openapi(apply, async (c) => {
      const views = await suggestions.applySuggestions(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        items: c.req.valid('json').items,
      });
      return c.json({ items: views.map(toThreat) }, 201);
    })
    .openapi(dismiss, async (c) => {
      await suggestions.dismissSuggestions(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        items: c.req.valid('json').items,
      });
      return c.body(null, 204);
    });
}
