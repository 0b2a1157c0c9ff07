import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config } from './config';
import { tooManyRequests } from './errors';
import { hashSecret } from './auth/tokens';

/** One fixed-window limit (rate-limiter-flexible) with our 429 on top. */
export interface Limit {
  /** Counts one attempt; throws a 429 problem (with Retry-After) once over the limit. */
  consume(key: string): Promise<void>;
  /** Seconds until `key` may try again without counting an attempt; 0 when not blocked. */
  retryAfterSeconds(key: string): Promise<number>;
  /** Counts one attempt without refusing it (a failure recorded after the fact). */
  record(key: string): Promise<void>;
  /** Forgets `key`'s attempts (a correct sign-in clears its failures). */
  reset(key: string): Promise<void>;
}

/** Every limit of the HTTP edge; README's configuration table lists their settings. */
export interface RateLimits {
  /** Failed sign-ins per (account, address): the owner's own address is never locked by others. */
  loginAccountIp: Limit;
  /** Failed sign-ins per address, whatever the account. */
  loginIp: Limit;
  signupIp: Limit;
  tokenCreateUser: Limit;
  ticketCreateUser: Limit;
  collabUpgradeIp: Limit;
  /** Resolves once the shared store answers (immediately in memory). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface LimitSpec {
  name: string;
  points: number;
  seconds: number;
}

function specs(config: Config): Record<Exclude<keyof RateLimits, 'ready' | 'close'>, LimitSpec> {
  return {
    loginAccountIp: {
      name: 'login-account-ip',
      points: config.LOGIN_MAX_FAILURES_PER_ACCOUNT_IP,
      seconds: config.LOGIN_WINDOW_SECONDS,
    },
    loginIp: {
      name: 'login-ip',
      points: config.LOGIN_MAX_FAILURES_PER_IP,
      seconds: config.LOGIN_WINDOW_SECONDS,
    },
    signupIp: {
      name: 'signup-ip',
      points: config.SIGNUP_MAX_PER_IP,
      seconds: config.SIGNUP_WINDOW_SECONDS,
    },
    tokenCreateUser: {
      name: 'token-create-user',
      points: config.TOKEN_CREATE_MAX_PER_USER,
      seconds: config.TOKEN_CREATE_WINDOW_SECONDS,
    },
    ticketCreateUser: {
      name: 'ticket-create-user',
      points: config.TICKET_CREATE_MAX_PER_USER,
      seconds: config.TICKET_CREATE_WINDOW_SECONDS,
    },
    collabUpgradeIp: {
      name: 'collab-upgrade-ip',
      points: config.COLLAB_UPGRADE_MAX_PER_IP,
      seconds: config.COLLAB_UPGRADE_WINDOW_SECONDS,
    },
  };
}

/**
 * Keys may hold e-mail addresses; the store only ever sees their hash (Redis is often
 * shared and inspected more casually than the database).
 */
const storeKey = (key: string) => hashSecret(key).slice(0, 32);

function wrap(limiter: RateLimiterAbstract, points: number): Limit {
  const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return {
    async consume(key) {
      try {
        await limiter.consume(storeKey(key));
      } catch (err) {
        if (err instanceof RateLimiterRes) throw tooManyRequests(retryAfter(err));
        throw err;
      }
    },
    async retryAfterSeconds(key) {
      const res = await limiter.get(storeKey(key));
      return res && res.consumedPoints >= points ? retryAfter(res) : 0;
    },
    async record(key) {
      await limiter.penalty(storeKey(key));
    },
    async reset(key) {
      await limiter.delete(storeKey(key));
    },
  };
}

/**
 * The limits on Redis when `REDIS_URL` is set (every node counts in the same place, so N nodes
 * do not multiply a limit by N), in this process's memory otherwise. While Redis cannot be
 * reached each node falls back to counting in memory (rate-limiter-flexible's insurance
 * limiter) rather than failing or waving requests through.
 */
export function createRateLimits(config: Config, logger?: Logger): RateLimits {
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, {
        maxRetriesPerRequest: 1,
        connectionName: 'threatroom-rate-limits',
      })
    : null;
  redis?.on('error', (err) => logger?.warn({ err: err.message }, 'rate-limit Redis error'));
  const make = (spec: LimitSpec): Limit => {
    const memory = new RateLimiterMemory({
      keyPrefix: spec.name,
      points: spec.points,
      duration: spec.seconds,
    });
    if (!redis) return wrap(memory, spec.points);
    const shared = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}:${spec.name}`,
      points: spec.points,
      duration: spec.seconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
    return wrap(shared, spec.points);
  };
  const limits = Object.fromEntries(
    Object.entries(specs(config)).map(([key, spec]) => [key, make(spec)]),
  ) as Omit<RateLimits, 'ready' | 'close'>;
  return {
    ...limits,
    ready: async () => {
      if (!redis || redis.status === 'ready') return;
      await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    },
    close: async () => {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
