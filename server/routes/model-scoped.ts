import { z } from '@hono/zod-openapi';
import { jsonResponse } from '../openapi';

/**
 * Building blocks shared by the routes nested under a threat model (threats, diagrams,
 * documents, repositories, metadata): path parameters, the If-Match header, ETag responses
 * and the field limits of API.md.
 */
export const ModelParams = z.object({
  tm: z.uuid().openapi({ description: 'Threat model id' }),
});

/** `If-Match: "<version>"` on PUT, PATCH and DELETE; a stale value answers 412. */
export const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({ description: 'Entity tag from a GET (`"3"`); a mismatch answers 412' }),
});

const ETAG_HEADER = {
  ETag: { description: 'The resource version as an entity tag', schema: { type: 'string' } },
} as const;

/** A JSON success response that carries `ETag: "<version>"`. */
export function taggedResponse<T extends z.ZodType>(schema: T, description: string) {
  return { ...jsonResponse(schema, description), headers: ETAG_HEADER };
}

/** RFC 6902 body of a PATCH, as `application/json-patch+json`. */
export function patchBody<T extends z.ZodType>(schema: T, description: string) {
  return {
    required: true,
    description,
    content: { 'application/json-patch+json': { schema } },
  } as const;
}

export const Name = z.string().trim().min(1).max(256);
export const Description = z.string().max(4096).nullable().optional();
/** http(s) only: these links are rendered as clickable anchors in the app. */
export const HttpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ example: 'https://example.com/x' });
