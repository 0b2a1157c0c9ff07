import * as repo from '../../db/repositories/repositories.repository';
import { RepositoryInputSchema } from '../schemas/sources.schemas';
import { childService } from './model-children.service';

/** Source-code repositories of a threat model (TMI "sources"): git, svn, mercurial, other. */
export const repositoriesService = childService({
  entity: 'repository',
  countField: 'repositoryCount',
  repository: {
    list: repo.listRepositories,
    count: repo.countRepositories,
    find: repo.findRepository,
    insert: repo.insertRepository,
    update: repo.updateRepository,
    remove: repo.deleteRepository,
  },
  input: RepositoryInputSchema,
  values: (input) => ({
    name: input.name,
    url: input.url,
    description: input.description ?? null,
    type: input.type,
    parameters: input.parameters ?? null,
  }),
  patchable: (row) => ({
    name: row.name,
    url: row.url,
    description: row.description,
    type: row.type,
    parameters: row.parameters,
  }),
  auditFields: ['name', 'url', 'description', 'type', 'parameters'],
});
