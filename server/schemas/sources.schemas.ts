import { z } from '@hono/zod-openapi';
import type { DocumentRow } from '../../db/repositories/documents.repository';
import type { RepositoryRow } from '../../db/repositories/repositories.repository';
import { REPOSITORY_TYPES } from '../../db/schema/enums';
import { Description, HttpUrl, Name } from '../routes/model-scoped';

/** Documents and source repositories: TMI's "documents" and "sources" of a threat model. */
export const DocumentInputSchema = z
  .object({ name: Name, url: HttpUrl, description: Description })
  .openapi('DocumentInput');

const common = {
  id: z.uuid(),
  threat_model_id: z.uuid(),
  name: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  version: z.number().int(),
  created_by: z.uuid().nullable(),
  created_at: z.string(),
  modified_at: z.string(),
};

export const DocumentSchema = z.object(common).openapi('Document');

/** Free-form connection parameters (branch, path, …), bounded like every body. */
const Parameters = z
  .record(z.string().max(256), z.unknown())
  .refine((p) => JSON.stringify(p).length <= 16_384, 'at most 16 KiB')
  .openapi({ example: { branch: 'main', path: '/' } });

export const RepositoryInputSchema = z
  .object({
    name: Name,
    url: z.string().trim().min(1).max(2048).openapi({ description: 'Clone URL (any scheme)' }),
    description: Description,
    type: z.enum(REPOSITORY_TYPES).default('git'),
    parameters: Parameters.nullable().optional(),
  })
  .openapi('RepositoryInput');

export const RepositorySchema = z
  .object({
    ...common,
    type: z.enum(REPOSITORY_TYPES),
    parameters: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Repository');

const base = (row: DocumentRow | RepositoryRow) => ({
  id: row.id,
  threat_model_id: row.threatModelId,
  name: row.name,
  url: row.url,
  description: row.description,
  version: row.version,
  created_by: row.createdBy,
  created_at: row.createdAt.toISOString(),
  modified_at: row.modifiedAt.toISOString(),
});

export const toDocument = (row: DocumentRow): z.infer<typeof DocumentSchema> => base(row);

export const toRepository = (row: RepositoryRow): z.infer<typeof RepositorySchema> => ({
  ...base(row),
  type: row.type,
  parameters: row.parameters ?? null,
});
