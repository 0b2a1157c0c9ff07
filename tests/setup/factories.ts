import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as teamsRepo from '../../db/repositories/teams.repository';
import * as usersRepo from '../../db/repositories/users.repository';
import type { Role, TeamRole } from '../../db/schema/enums';
import { hashPassword } from '../../server/auth/passwords';
import { createSession, generateSessionToken, SESSION_COOKIE } from '../../server/auth/sessions';
import type { ServiceRequest } from '../../server/context';
import * as teamsService from '../../server/services/teams.service';
import * as tmService from '../../server/services/threat-models.service';

let counter = 0;

/** What `grant()` accepts as a principal: a user, a team, or everyone. */
export type PrincipalLike = { id: string; email: string } | { team: { id: string } } | 'everyone';

/** `user` calling with a session, outside any HTTP request. */
const requestOf = (user: usersRepo.UserRow): ServiceRequest => ({
  user,
  method: 'session',
  requestId: null,
  ip: null,
});

/** Factories that create data through the real repositories and services. */
export function createFactories(db: Executor) {
  const factories = {
    /** A user; pass `password` to be able to sign in with it (hashing costs ~50 ms). */
    async newUser(input: { name?: string; email?: string; password?: string } = {}) {
      const n = ++counter;
      const user = await usersRepo.insertUser(db, {
        email: (
          input.email ?? `user${n}-${Math.random().toString(36).slice(2, 8)}@example.com`
        ).toLowerCase(),
        name: input.name ?? `User ${n}`,
        passwordHash: input.password ? await hashPassword(input.password) : null,
      });
      if (!user) throw new Error('newUser: duplicate e-mail');
      const token = generateSessionToken();
      await createSession(db, token, user.id);
      return { ...user, cookie: `${SESSION_COOKIE}=${token}` };
    },

    /**
     * A threat model owned by `owner`, created by the real service (model + owner grant +
     * audit entry). Returns the stored row (`id`, `version`, …).
     */
    async newThreatModel(
      owner: usersRepo.UserRow,
      overrides: Partial<tmService.ThreatModelInput> = {},
    ) {
      const detail = await tmService.createThreatModel(db, requestOf(owner), {
        threatModel: { name: `Model ${++counter}`, ...overrides },
      });
      return detail.model;
    },

    /** Grants (or changes) `role` on the model to a user, a team (`{team}`) or `'everyone'`. */
    async grant(tm: { id: string }, principal: PrincipalLike, role: Role) {
      const p: accessRepo.Principal =
        principal === 'everyone'
          ? { type: 'everyone', id: '*' }
          : 'team' in principal
            ? { type: 'team', id: principal.team.id }
            : { type: 'user', id: principal.id };
      const existing = await accessRepo.findGrant(db, tm.id, p);
      if (existing) return accessRepo.updateGrantRole(db, existing.id, role, existing.grantedBy);
      return accessRepo.insertGrant(db, {
        threatModelId: tm.id,
        principal: p,
        role,
        grantedBy: null,
      });
    },

    /** A team created by `lead` (who becomes its first lead) through the real service. */
    async newTeam(lead: usersRepo.UserRow, overrides: Partial<teamsService.TeamInput> = {}) {
      const { team } = await teamsService.createTeam(db, requestOf(lead), {
        team: { name: `Team ${++counter}`, ...overrides },
      });
      return team;
    },

    /** Adds `user` to the team (or changes their role). */
    async addTeamMember(team: { id: string }, user: { id: string }, role: TeamRole = 'member') {
      return teamsRepo.upsertMember(db, { teamId: team.id, userId: user.id, role });
    },
  };
  return factories;
}

export type TestUser = Awaited<ReturnType<ReturnType<typeof createFactories>['newUser']>>;
