import { api, done, ok, type Schemas } from '$lib/api';
import { can, type Role } from '$model';

export type Comment = Schemas['Comment'];

/** What every comment view needs: who is looking and with which role. */
export interface Viewer {
  userId: string;
  role: Role;
}

/** The fields the permission rules read; live and REST comments both have them. */
interface Authored {
  author: { id: string } | null;
  parent_id: string | null;
}

const isAuthor = (c: Authored, viewer: Viewer) => c.author?.id === viewer.userId;

/** Mirrors the server's rules (API.md "Roles") so the UI only offers what will succeed. */
export const permissions = {
  comment: (viewer: Viewer) => can(viewer.role, 'comment'),
  edit: (c: Authored, viewer: Viewer) => can(viewer.role, 'comment') && isAuthor(c, viewer),
  resolve: (c: Authored, viewer: Viewer) =>
    !c.parent_id &&
    can(viewer.role, 'comment') &&
    (isAuthor(c, viewer) || can(viewer.role, 'edit')),
  remove: (c: Authored, viewer: Viewer) =>
    can(viewer.role, 'comment') && (isAuthor(c, viewer) || can(viewer.role, 'manage')),
};

export interface NewComment {
  body: string;
  diagram_id?: string;
  cell_id?: string;
  threat_id?: string;
  parent_id?: string;
}

const at = (tm: string, id: string) => ({ params: { path: { tm, id } } });

/** REST writes; the live document follows from the server's mirror. */
export const commentsApi = {
  list: (tm: string, query: { threat_id?: string; diagram_id?: string }) =>
    ok(
      api.GET('/api/threat_models/{tm}/comments', {
        params: { path: { tm }, query: { ...query, limit: 500 } },
      }),
    ),
  create: (tm: string, body: NewComment) =>
    ok(api.POST('/api/threat_models/{tm}/comments', { params: { path: { tm } }, body })),
  edit: (tm: string, id: string, body: string) =>
    ok(api.PATCH('/api/threat_models/{tm}/comments/{id}', { ...at(tm, id), body: { body } })),
  resolve: (tm: string, id: string) =>
    ok(api.POST('/api/threat_models/{tm}/comments/{id}/resolve', at(tm, id))),
  reopen: (tm: string, id: string) =>
    ok(api.POST('/api/threat_models/{tm}/comments/{id}/reopen', at(tm, id))),
  remove: (tm: string, id: string) =>
    done(api.DELETE('/api/threat_models/{tm}/comments/{id}', at(tm, id))),
};
