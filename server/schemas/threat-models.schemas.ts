import { z } from '@hono/zod-openapi';
import type { GrantListRow } from '../../db/repositories/access.repository';
import type { ThreatModelRow } from '../../db/repositories/threat-models.repository';
import { FRAMEWORKS, MODEL_STATUSES, PRINCIPAL_TYPES, ROLES } from '../../db/schema/enums';
import { Description, HttpUrl, Name } from '../routes/model-scoped';
import { UserSummarySchema } from '../routes/serializers';

/** A threat model as clients write it: POST and PUT bodies, and the result of a PATCH. */
export const ThreatModelInputSchema = z
  .object({
    name: Name,
    description: Description,
    framework: z.enum(FRAMEWORKS).optional().openapi({ description: 'Default STRIDE' }),
    issue_url: HttpUrl.nullable().optional(),
    status: z.enum(MODEL_STATUSES).optional().openapi({
      description:
        'draft → in_review → approved → archived. Moving into `approved` is only through the review decision (409 here); only owners withdraw an approval. Ignored on create; kept when absent on PUT.',
    }),
    owner_id: z
      .uuid()
      .optional()
      .openapi({ description: 'Owner only: a user who already holds an owner grant' }),
    require_reviewer_signoff: z.boolean().optional().openapi({
      description:
        'Owner only (default true): when a review round named reviewers, the owner approves only after one of them signed off',
    }),
  })
  .openapi('ThreatModelInput');

/** A patched threat model must be complete: nullable fields may be null, none may be missing. */
export const PatchedThreatModelSchema = ThreatModelInputSchema.required({
  framework: true,
  status: true,
  owner_id: true,
  require_reviewer_signoff: true,
}).extend({
  description: z.string().max(4096).nullable(),
  issue_url: ThreatModelInputSchema.shape.issue_url.unwrap(),
});

/** A grant as GET …/access and `authorization[]` show it. */
export const GrantSchema = z
  .object({
    principal_type: z.enum(PRINCIPAL_TYPES),
    principal_id: z.string().openapi({ description: 'User or team id; `*` for everyone' }),
    display_name: z.string(),
    email: z.string().nullable(),
    role: z.enum(ROLES),
    granted_by: z.uuid().nullable(),
    granted_at: z.string(),
  })
  .openapi('Grant');

const counts = {
  threat_count: z.number().int(),
  diagram_count: z.number().int(),
  document_count: z.number().int(),
  repository_count: z.number().int(),
};

/** The fields a list item and the full model share. */
export const ThreatModelSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    framework: z.enum(FRAMEWORKS),
    status: z.enum(MODEL_STATUSES),
    status_updated_at: z.string().nullable(),
    issue_url: z.string().nullable(),
    owner_id: z.uuid(),
    owner: UserSummarySchema,
    created_by: z.uuid().nullable(),
    my_role: z.enum(ROLES).openapi({ description: "The caller's highest role" }),
    version: z.number().int(),
    ...counts,
    require_reviewer_signoff: z.boolean(),
    created_at: z.string(),
    modified_at: z.string(),
  })
  .openapi('ThreatModelSummary');

/** What changed since the model's latest approval (approvals.service.ts). */
export const DriftSchema = z
  .object({
    since_approval: z.boolean(),
    changes: z.number().int().openapi({
      description:
        'Cells and threats added, removed or changed since the approval, plus diagrams added or deleted',
    }),
    approval: z
      .object({
        approved_at: z.string(),
        approved_by: z.object({ id: z.uuid().nullable(), name: z.string().nullable() }),
        versions: z.record(z.string(), z.number().int()).openapi({
          description: 'The approval version of each diagram (diagram id → version number)',
        }),
      })
      .nullable(),
  })
  .openapi('ApprovalDrift');

export const ThreatModelSchema = ThreatModelSummarySchema.extend({
  authorization: z.array(GrantSchema),
  drift: DriftSchema.optional().openapi({
    description: 'On GET of one model: what changed since its latest approval',
  }),
}).openapi('ThreatModel');

type Owner = { id: string; name: string; email: string };

export function toThreatModelSummary(r: { model: ThreatModelRow; owner: Owner; role: string }) {
  const m = r.model;
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    framework: m.framework,
    status: m.status,
    status_updated_at: m.statusUpdatedAt?.toISOString() ?? null,
    issue_url: m.issueUrl,
    owner_id: m.ownerId,
    owner: r.owner,
    created_by: m.createdBy,
    my_role: r.role as z.infer<typeof ThreatModelSummarySchema>['my_role'],
    version: m.version,
    threat_count: m.threatCount,
    diagram_count: m.diagramCount,
    document_count: m.documentCount,
    repository_count: m.repositoryCount,
    require_reviewer_signoff: m.requireReviewerSignoff,
    created_at: m.createdAt.toISOString(),
    modified_at: m.modifiedAt.toISOString(),
  };
}

export function toThreatModel(r: {
  model: ThreatModelRow;
  owner: Owner;
  role: string;
  grants: GrantListRow[];
  drift?: z.infer<typeof DriftSchema>;
}): z.infer<typeof ThreatModelSchema> {
  return {
    ...toThreatModelSummary(r),
    authorization: r.grants.map(toGrant),
    ...(r.drift ? { drift: r.drift } : {}),
  };
}

/** A grant row (with the joined principal names) as the API shows it. */
export function toGrant(r: GrantListRow): z.infer<typeof GrantSchema> {
  const g = r.grant;
  return {
    principal_type: g.principalType,
    principal_id: g.userId ?? g.teamId ?? '*',
    display_name: r.userName ?? r.teamName ?? 'Everyone',
    email: r.userEmail ?? null,
    role: g.role,
    granted_by: g.grantedBy,
    granted_at: g.grantedAt.toISOString(),
  };
}
