import { DOCUMENT_SORT_FIELDS } from '../../db/repositories/documents.repository';
import type { AppDeps } from '../context';
import { DocumentInputSchema, DocumentSchema, toDocument } from '../schemas/sources.schemas';
import { documentsService } from '../services/documents.service';
import { childRoutes } from './model-children.routes';

/** Documents of a threat model: CRUD + JSON Patch. Mounted at /api/threat_models. */
export function documentsRoutes(deps: AppDeps) {
  return childRoutes(deps, {
    segment: 'documents',
    idParam: 'document_id',
    noun: 'document',
    tag: 'documents',
    listName: 'DocumentList',
    sortFields: DOCUMENT_SORT_FIELDS,
    input: DocumentInputSchema,
    output: DocumentSchema,
    toJson: toDocument,
    service: documentsService,
  });
}
