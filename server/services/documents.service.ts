import * as repo from '../../db/repositories/documents.repository';
import { DocumentInputSchema } from '../schemas/sources.schemas';
import { childService } from './model-children.service';

/** Documents of a threat model (TMI "documents"): name, url, description. */
export const documentsService = childService({
  entity: 'document',
  countField: 'documentCount',
  repository: {
    list: repo.listDocuments,
    count: repo.countDocuments,
    find: repo.findDocument,
    insert: repo.insertDocument,
    update: repo.updateDocument,
    remove: repo.deleteDocument,
  },
  input: DocumentInputSchema,
  values: (input) => ({
    name: input.name,
    url: input.url,
    description: input.description ?? null,
  }),
  patchable: (row) => ({ name: row.name, url: row.url, description: row.description }),
  auditFields: ['name', 'url', 'description'],
});
