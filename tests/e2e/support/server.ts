import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';

export interface RunningServer {
  url: string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A fresh database: a new Postgres database under TEST_DATABASE_URL, else a PGlite dir. */
async function freshDatabase(): Promise<{
  env: Record<string, string>;
  drop: () => Promise<void>;
}> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `threatroom_e2e_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString() },
      drop: async () => {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'threatroom-e2e-'));
  return {
    env: { DATA_DIR: dir },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Starts the app the way `npm start` does (scripts/start.mjs: API, collab and the built SPA
 * on one port) as a child process on a free port with a fresh database, and waits until it
 * answers /api/health.
 */
export async function startServer(): Promise<RunningServer> {
  const server = await startRestartableServer();
  return { url: server.url, stop: server.destroy };
}

export interface RestartableServer {
  url: string;
  /** Stops the process (SIGTERM, so it flushes); the port and the database are kept. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and database. */
  start: () => Promise<void>;
  /** Stops it and drops the database. */
  destroy: () => Promise<void>;
}

/**
 * A server that can be stopped and started again on the same port and database — to test
 * what the browser does while the server is unreachable (offline edits, reconnects).
 */
export async function startRestartableServer(): Promise<RestartableServer> {
  const port = await freePort();
  const db = await freshDatabase();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    WEB_DIR: inject('webDir'),
    // Every browser of a run signs up from 127.0.0.1; with REDIS_URL set, counters of their
    // own per server so that runs and files never add up.
    SIGNUP_MAX_PER_IP: '10000',
    RATE_LIMIT_KEY_PREFIX: `threatroom-e2e:${process.pid}:${port}`,
  };
  delete env.DATABASE_URL;
  Object.assign(env, db.env);

  let child: ChildProcess | null = null;
  let exited = true;
  const start = async () => {
    const proc = spawn(process.execPath, ['scripts/start.mjs'], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child = proc;
    exited = false;
    proc.once('exit', () => (exited = true));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (exited) throw new Error('the server exited during start-up (see its output above)');
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error('the server did not answer /api/health within 90 s');
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const stop = async () => {
    const proc = child;
    if (!proc || exited) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  await start();
  return {
    url,
    stop,
    start,
    destroy: async () => {
      await stop();
      await db.drop();
    },
  };
}
