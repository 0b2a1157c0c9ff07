/**
 * `npm run bench:collab` — Threatroom's collab server against the reference y-websocket@2.1.0
 * server (bin/server.cjs), in the same run, on 127.0.0.1 only.
 *
 * Each server runs as its own child process. N rooms × M stock WebsocketProvider clients
 * (this process) each change their own cell at a steady rate; every other client in the room
 * records the end-to-end delivery latency (same clock: same process). Server CPU seconds and
 * RSS come from /proc/<pid>. Then: memory per idle room (K rooms with one idle client each)
 * and the time for a fresh client to join and sync a 5,000-cell diagram.
 *
 * Knobs (env): BENCH_ROOMS=20 BENCH_CLIENTS=10 BENCH_SECONDS=20 BENCH_RATE=2 (edits/s per
 * client) BENCH_IDLE_ROOMS=100 BENCH_BIG_CELLS=5000; BENCH_DATABASE_URL=postgres://… runs
 * Threatroom on a fresh database on that server instead of embedded PGlite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import postgres from 'postgres';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { NodeCell } from '../model/cells';
import { cellsMap, upsertCell } from '../model/ydoc';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 2);
const IDLE_ROOMS = Number(process.env.BENCH_IDLE_ROOMS ?? 100);
const BIG_CELLS = Number(process.env.BENCH_BIG_CELLS ?? 5000);
const WARMUP_MS = 2_000;
// Every WebsocketProvider adds a process 'exit' listener; hundreds are expected here.
process.setMaxListeners(0);
const CLK_TCK = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

interface ServerHandle {
  name: string;
  child: ChildProcess;
  port: number;
  /** Base URL for WebsocketProvider (it appends the room name). */
  collabUrl: string;
  /** Room names for the load rooms, the idle rooms and the big diagram. */
  rooms: string[];
  idleRooms: string[];
  bigRoom: string;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function startChild(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${lines.join('\n')}`)),
      60_000,
    );
    child.once('exit', (code) =>
      reject(new Error(`${name} exited (${code}):\n${lines.join('\n')}`)),
    );
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (lines.length < 200) lines.push(line);
        if (ready.test(line)) {
          clearTimeout(timer);
          resolve(child);
        }
      });
    }
  });
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Threatroom with auth (cookie session) and persistence (PGlite, or Postgres) on. */
async function startThreatroom(): Promise<ServerHandle> {
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    COLLAB_MAX_CONNECTIONS_PER_USER: '10000',
    COLLAB_MAX_CONNECTIONS_PER_ROOM: '10000',
    // Every benchmark client connects (and signs up) from 127.0.0.1.
    COLLAB_UPGRADE_MAX_PER_IP: '1000000',
    SIGNUP_MAX_PER_IP: '1000000',
    WEB_DIR: '/nonexistent',
  };
  let cleanup = async () => {};
  const dataDir = mkdtempSync(join(tmpdir(), 'threatroom-bench-'));
  if (process.env.BENCH_DATABASE_URL) {
    const admin = postgres(process.env.BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
    const dbName = `threatroom_bench_${Date.now()}`;
    await admin.unsafe(`create database "${dbName}"`);
    const url = new URL(process.env.BENCH_DATABASE_URL);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
    cleanup = async () => {
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    };
  } else {
    env.DATA_DIR = dataDir;
  }
  // Our logger prints the listening line at info; ask the API for readiness instead.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      if (i > 600) throw new Error('Threatroom did not start');
      await sleep(100);
    }
  }
  const call = async (method: string, path: string, cookie: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return { body: (await res.json()) as any, cookie: res.headers.get('set-cookie') ?? '' };
  };
  const signup = await call('POST', '/api/auth/signup', '', {
    email: `bench-${Date.now()}@example.com`,
    name: 'Bench',
    password: 'benchmark password',
  });
  const cookie = signup.cookie.split(';')[0]!;
  const tm = await call('POST', '/api/threat_models', cookie, { name: 'Bench model' });
  const diagram = async () =>
    (
      await call('POST', `/api/threat_models/${tm.body.id}/diagrams`, cookie, {
        name: 'bench',
        type: 'DFD-1.0.0',
      })
    ).body.id as string;
  const rooms: string[] = [];
  for (let i = 0; i < ROOMS; i++) rooms.push(await diagram());
  const idleRooms: string[] = [];
  for (let i = 0; i < IDLE_ROOMS; i++) idleRooms.push(await diagram());
  const bigRoom = await diagram();
  await call('PUT', `/api/threat_models/${tm.body.id}/diagrams/${bigRoom}`, cookie, {
    name: 'big',
    cells: bigCells(),
  });
  return {
    name: 'Threatroom',
    child,
    port,
    collabUrl: `ws://127.0.0.1:${port}/collab`,
    rooms,
    idleRooms,
    bigRoom,
    headers: { cookie },
    stop: async () => {
      await stopChild(child);
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The reference y-websocket@2.1.0 server: no auth, in-memory. */
async function startReference(): Promise<ServerHandle> {
  const port = await freePort();
  const child = await startChild(
    'reference',
    ['node_modules/y-websocket-reference/bin/server.cjs'],
    { HOST: '127.0.0.1', PORT: String(port) },
    /running at/,
  );
  const id = (i: string) => `bench-${i}-${Math.random().toString(36).slice(2, 8)}`;
  const handle: ServerHandle = {
    name: 'y-websocket 2.1.0',
    child,
    port,
    collabUrl: `ws://127.0.0.1:${port}/collab`,
    rooms: Array.from({ length: ROOMS }, (_, i) => id(`r${i}`)),
    idleRooms: Array.from({ length: IDLE_ROOMS }, (_, i) => id(`idle${i}`)),
    bigRoom: id('big'),
    headers: {},
    stop: () => stopChild(child),
  };
  // The reference has no REST: seed the big document through a client, then leave.
  const seeder = connect(handle, handle.bigRoom);
  await seeder.synced;
  seeder.doc.transact(() => {
    for (const cell of bigCells()) upsertCell(seeder.doc, cell);
  });
  await sleep(1_000);
  seeder.destroy();
  return handle;
}

function bigCells(): NodeCell[] {
  return Array.from({ length: BIG_CELLS }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    shape: 'process' as const,
    x: (i % 100) * 150,
    y: Math.floor(i / 100) * 100,
    width: 120,
    height: 60,
    label: `Process ${i}`,
    z_index: i,
  }));
}

function connect(server: ServerHandle, room: string) {
  const doc = new Y.Doc();
  const headers = server.headers;
  const provider = new WebsocketProvider(server.collabUrl, room, doc, {
    WebSocketPolyfill: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    } as never,
    disableBc: true,
  });
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    provider.once('sync', () => resolve());
  });
  return {
    doc,
    provider,
    synced,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function memoryKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

interface Result {
  p50: number;
  p95: number;
  p99: number;
  delivered: number;
  sent: number;
  msgsPerSecond: number;
  cpuSeconds: number;
  peakRssMiB: number;
  idleRoomKiB: number;
  joinSyncMs: number;
}

async function run(server: ServerHandle): Promise<Result> {
  const pid = server.child.pid!;
  console.error(`[${server.name}] connecting ${ROOMS}×${CLIENTS} clients…`);
  const clients = server.rooms.flatMap((room) =>
    Array.from({ length: CLIENTS }, () => ({
      ...connect(server, room),
      cellId: crypto.randomUUID(),
    })),
  );
  await Promise.all(clients.map((c) => c.synced));
  for (const c of clients) {
    c.doc.transact(() =>
      upsertCell(c.doc, {
        id: c.cellId,
        shape: 'process',
        x: 0,
        y: 0,
        width: 100,
        height: 50,
        data: { t: 0 },
      }),
    );
  }
  let measuring = false;
  const latencies: number[] = [];
  let sent = 0;
  for (const c of clients) {
    cellsMap(c.doc).observeDeep((events, tx) => {
      if (!measuring || tx.origin !== c.provider) return;
      const at = now();
      for (const event of events) {
        if (
          event.target instanceof Y.Map &&
          (event as Y.YMapEvent<unknown>).keysChanged.has('data')
        ) {
          const t = ((event.target as Y.Map<unknown>).get('data') as { t: number }).t;
          if (t > 0) latencies.push(at - t);
        }
      }
    });
  }
  await sleep(1_000);
  const timers = clients.map((c) => {
    let x = 0;
    const edit = () => {
      c.doc.transact(() => {
        const map = cellsMap(c.doc).get(c.cellId)!;
        map.set('x', ++x);
        map.set('data', { t: now() });
      });
      if (measuring) sent++;
    };
    const start = setTimeout(
      () => {
        const every = setInterval(edit, 1000 / RATE);
        timers2.push(every);
      },
      Math.random() * (1000 / RATE),
    );
    return start;
  });
  const timers2: NodeJS.Timeout[] = [];
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, memoryKiB(pid, 'VmRSS'));
  }, 200);
  await sleep(WARMUP_MS);
  console.error(`[${server.name}] measuring for ${SECONDS} s…`);
  const cpuStart = cpuSeconds(pid);
  measuring = true;
  const started = now();
  await sleep(SECONDS * 1000);
  for (const t of [...timers, ...timers2]) clearTimeout(t);
  const sendWindow = now() - started;
  await sleep(1_000);
  measuring = false;
  const cpu = cpuSeconds(pid) - cpuStart;
  clearInterval(sampler);
  for (const c of clients) c.destroy();
  latencies.sort((a, b) => a - b);

  console.error(`[${server.name}] idle rooms…`);
  await sleep(3_000);
  const before = memoryKiB(pid, 'VmRSS');
  const idle = server.idleRooms.map((room) => connect(server, room));
  await Promise.all(idle.map((c) => c.synced));
  await sleep(2_000);
  const after = memoryKiB(pid, 'VmRSS');
  for (const c of idle) c.destroy();

  console.error(`[${server.name}] joining the ${BIG_CELLS}-cell diagram…`);
  const joins: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = now();
    const c = connect(server, server.bigRoom);
    await c.synced;
    while (cellsMap(c.doc).size < BIG_CELLS) await sleep(5);
    joins.push(now() - t0);
    c.destroy();
    await sleep(500);
  }
  joins.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    delivered: latencies.length,
    sent,
    msgsPerSecond: latencies.length / (sendWindow / 1000),
    cpuSeconds: cpu,
    peakRssMiB: peakRss / 1024,
    idleRoomKiB: (after - before) / IDLE_ROOMS,
    joinSyncMs: joins[1]!,
  };
}

function table(ours: Result, ref: Result) {
  const rows: Array<[string, (r: Result) => number, number]> = [
    ['delivery latency p50 (ms)', (r) => r.p50, 1],
    ['delivery latency p95 (ms)', (r) => r.p95, 1],
    ['delivery latency p99 (ms)', (r) => r.p99, 1],
    ['delivered msgs/s', (r) => r.msgsPerSecond, 0],
    ['server CPU seconds', (r) => r.cpuSeconds, 2],
    ['server peak RSS (MiB)', (r) => r.peakRssMiB, 1],
    ['memory per idle room (KiB)', (r) => r.idleRoomKiB, 1],
    [`join+sync ${BIG_CELLS} cells (ms)`, (r) => r.joinSyncMs, 1],
  ];
  const head = ['metric', 'Threatroom', 'y-websocket 2.1.0', 'ratio'];
  const body = rows.map(([label, get, digits]) => [
    label,
    get(ours).toFixed(digits),
    get(ref).toFixed(digits),
    get(ref) === 0 ? 'n/a' : `${(get(ours) / get(ref)).toFixed(2)}×`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(
    `\n${ROOMS} rooms × ${CLIENTS} clients, ${RATE} edits/s per client, ${SECONDS} s measured; ` +
      `Threatroom: cookie auth, ${process.env.BENCH_DATABASE_URL ? 'Postgres' : 'PGlite'} persistence\n`,
  );
  console.log(line(head));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const r of body) console.log(line(r));
  console.log(
    `\nsent (measured window): Threatroom ${ours.sent}, reference ${ref.sent}; ` +
      `deliveries expected ≈ sent × ${CLIENTS - 1}`,
  );
}

async function main() {
  const ours = await startThreatroom();
  let oursResult: Result;
  try {
    oursResult = await run(ours);
  } finally {
    await ours.stop();
  }
  const ref = await startReference();
  let refResult: Result;
  try {
    refResult = await run(ref);
  } finally {
    await ref.stop();
  }
  table(oursResult, refResult);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
