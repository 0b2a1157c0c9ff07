import { api, ApiError, ok, type Schemas } from './api';

export type User = Schemas['User'];

/** The signed-in user, shared by every screen. `loaded` turns true after the first check. */
export const session = $state<{ user: User | null; loaded: boolean }>({
  user: null,
  loaded: false,
});

/** Asks the server who we are; a 401 means signed out, anything else is reported. */
export async function loadSession(): Promise<User | null> {
  try {
    session.user = await ok(api.GET('/api/me'));
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) throw err;
    session.user = null;
  } finally {
    session.loaded = true;
  }
  return session.user;
}

export async function signOut(): Promise<void> {
  await api.POST('/api/auth/logout');
  session.user = null;
}
