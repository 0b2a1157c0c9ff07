import { REPOSITORY_SORT_FIELDS } from '../../db/repositories/repositories.repository';
import type { AppDeps } from '../context';
import { RepositoryInputSchema, RepositorySchema, toRepository } from '../schemas/sources.schemas';
import { repositoriesService } from '../services/repositories.service';
import { childRoutes } from './model-children.routes';

/** Source-code repositories of a threat model: CRUD + JSON Patch. Mounted at /api/threat_models. */
export function repositoriesRoutes(deps: AppDeps) {
  return childRoutes(deps, {
    segment: 'repositories',
    idParam: 'repository_id',
    noun: 'repository',
    tag: 'repositories',
    listName: 'RepositoryList',
    sortFields: REPOSITORY_SORT_FIELDS,
    input: RepositoryInputSchema,
    output: RepositorySchema,
    toJson: toRepository,
    service: repositoriesService,
  });
}
