import { api, ok, type ResponseOf } from '$lib/api';

/** A threat model as GET /api/threat_models/{tm} returns it (with my_role and counts). */
export type ThreatModel = ResponseOf<'/api/threat_models/{tm}', 'get'>;
export type Role = ThreatModel['my_role'];

export function loadModel(tm: string): Promise<ThreatModel> {
  return ok(api.GET('/api/threat_models/{tm}', { params: { path: { tm } } }));
}

/** JSON Patch bodies go out as application/json-patch+json (API.md "PATCH bodies"). */
export const jsonPatch = {
  headers: { 'Content-Type': 'application/json-patch+json' },
  bodySerializer: (body: unknown) => JSON.stringify(body),
};
