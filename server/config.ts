import { z } from 'zod';
import { compileProxyTrust } from './proxy-trust';

const limit = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting the process reads, with its default. `.env.example` lists the same keys. */
const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Public origin of the app (scheme://host[:port]); also accepted by the CSRF origin check. */
  PUBLIC_URL: z.url().optional(),
  /** Extra origins accepted for cookie-authenticated mutations, comma separated. */
  ALLOWED_ORIGINS: z.string().default(''),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** PGlite data directory, used when DATABASE_URL is unset. */
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  ROLE: z.enum(['all', 'api', 'collab']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Send the session cookie with `Secure`; `auto` sets it when the request came over TLS. */
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /**
   * Which X-Forwarded-* hops to believe: `false`, a number of trusted hops (`true` = 1), or a
   * comma-separated list of proxy addresses/CIDRs (see server/proxy-trust.ts).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine((v) => {
      try {
        compileProxyTrust(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be false, true, a number of hops, or a comma-separated list of addresses/CIDRs'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  DIAGRAM_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Largest file POST /api/threat_models/import takes (a whole model with its diagrams). */
  IMPORT_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Failed sign-ins for one account from one address per window (never locks other addresses). */
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: limit(10),
  /** Failed sign-ins from one address, whatever the account, per window. */
  LOGIN_MAX_FAILURES_PER_IP: limit(50),
  LOGIN_WINDOW_SECONDS: seconds(15 * 60),
  SIGNUP_MAX_PER_IP: limit(10),
  SIGNUP_WINDOW_SECONDS: seconds(60 * 60),
  TOKEN_CREATE_MAX_PER_USER: limit(20),
  TOKEN_CREATE_WINDOW_SECONDS: seconds(60 * 60),
  TICKET_CREATE_MAX_PER_USER: limit(120),
  TICKET_CREATE_WINDOW_SECONDS: seconds(60),
  COLLAB_UPGRADE_MAX_PER_IP: limit(120),
  COLLAB_UPGRADE_WINDOW_SECONDS: seconds(60),
  /** Redis key prefix of the rate-limit counters (nodes sharing it share every limit). */
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).max(100).default('threatroom:rl'),
  /** Longest life of an API token; a token asked for without an expiry gets this one. */
  API_TOKEN_MAX_LIFETIME_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** Live (unexpired) API tokens one user may hold. */
  API_TOKEN_MAX_LIVE_PER_USER: limit(50),
  /** Seconds a client is told to wait (Retry-After) when the database cannot be reached. */
  DATABASE_RETRY_AFTER_SECONDS: seconds(5),
  /** Directory of the built web app; served at / when it exists. */
  WEB_DIR: z.string().default('./web/build'),
  COLLAB_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  COLLAB_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(20),
  COLLAB_MAX_CONNECTIONS_PER_ROOM: z.coerce.number().int().positive().default(200),
  COLLAB_MAX_PRELOAD_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  COLLAB_PING_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
  COLLAB_ACCESS_RECHECK_MS: z.coerce.number().int().positive().default(30_000),
  COLLAB_FLUSH_INTERVAL_MS: z.coerce.number().int().positive().default(50),
  COLLAB_COMPACT_QUIET_MS: z.coerce.number().int().positive().default(2_000),
  COLLAB_COMPACT_MAX_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * A separate listener that serves only `GET /metrics` (Prometheus), without a token: keep
   * it on a private network. Unset = no such listener; 0 = any free port (tests).
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Interface of the metrics listener; defaults to HOST. */
  METRICS_HOST: z.string().min(1).optional(),
  /**
   * Serves `GET /metrics` on the public port too, to `Authorization: Bearer <token>` only.
   * Unset = the public port answers 404 there.
   */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').max(256).optional(),
  COLLAB_AUTO_VERSION_INTERVAL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  /** Sync step 1 answers a connection gets in a burst, then one per interval. */
  COLLAB_SYNC_BURST: z.coerce.number().int().positive().default(3),
  COLLAB_SYNC_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  /** Largest awareness state of one client (bytes of JSON); bigger ones are not relayed. */
  COLLAB_MAX_AWARENESS_STATE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024),
  /** Shortest time between two awareness frames relayed for one connection (latest wins). */
  COLLAB_AWARENESS_INTERVAL_MS: z.coerce.number().int().positive().default(50),
  /** An update deleting more than this many cells, or more than half, is preceded by a version. */
  COLLAB_PRE_WIPE_CELLS: z.coerce.number().int().positive().default(20),
  COLLAB_PRE_WIPE_SHARE: z.coerce.number().positive().max(1).default(0.5),
  /** Live edits of one user on one diagram are audited as one entry per this window. */
  COLLAB_AUDIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Parses the environment once; a bad value stops start-up with a message naming the key. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** The configuration with every default, for tests and tools that build the app themselves. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...ConfigSchema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), ...overrides };
}
