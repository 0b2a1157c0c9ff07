import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMetricsApp } from '../../server/metrics';
import type { TestUser } from '../setup/factories';
import { startTestServer, type TestServer } from '../setup/server';
import { connectClient, createDiagram, processCell, type TestClient } from './collab-helpers';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** One sample of the Prometheus text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

describe('metrics on the public port behind METRICS_TOKEN', () => {
  let srv: TestServer;
  let owner: TestUser;
  let tm: { id: string };
  const clients: TestClient[] = [];

  beforeAll(async () => {
    // With a web build the SPA fallback (GET /*) matches every GET too: labels must still name
    // the API route that answered, so the test always serves one.
    const web = mkdtempSync(join(tmpdir(), 'threatroom-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>t</title>');
    srv = await startTestServer({ config: { METRICS_TOKEN: TOKEN, WEB_DIR: web } });
    owner = await srv.newUser();
    tm = await srv.newThreatModel(owner);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await srv.close();
  });

  const scrape = async () => {
    const res = await fetch(`${srv.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parse(await res.text());
  };

  it('moves the connection gauge, the message counters and the request histogram', async () => {
    const diagramId = await createDiagram(srv.as(owner), tm.id);
    const route = '/api/threat_models/:tm/diagrams/:diagram_id';
    const before = await scrape();
    expect(total(before, 'threatroom_collab_connections')).toBe(0);
    const requests = { method: 'GET', route, status: '200' };
    const requestsBefore = total(
      before,
      'threatroom_http_request_duration_seconds_count',
      requests,
    );

    const client = await connectClient(srv.collabUrl, diagramId, { cookie: owner.cookie });
    clients.push(client);
    const cell = processCell('Orders API');
    client.upsert(cell);
    // The REST call goes over the real port and sees the live edit.
    await vi.waitFor(async () => {
      const res = await fetch(`${srv.url}/api/threat_models/${tm.id}/diagrams/${diagramId}`, {
        headers: { cookie: owner.cookie },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { cells: { id: string }[] };
      expect(body.cells.map((c) => c.id)).toContain(cell.id);
    });

    await vi.waitFor(async () => {
      const after = await scrape();
      expect(total(after, 'threatroom_collab_connections')).toBe(1);
      expect(total(after, 'threatroom_collab_rooms')).toBe(1);
      // Sync step 1, sync step 2 and the edit, at least.
      expect(
        total(after, 'threatroom_collab_messages_received_total', { kind: 'sync' }),
      ).toBeGreaterThanOrEqual(3);
      expect(
        total(after, 'threatroom_collab_messages_sent_total', { kind: 'sync' }),
      ).toBeGreaterThan(total(before, 'threatroom_collab_messages_sent_total', { kind: 'sync' }));
      expect(
        total(after, 'threatroom_http_request_duration_seconds_count', requests),
      ).toBeGreaterThan(requestsBefore);
      // The edit was written by the update log.
      expect(
        total(after, 'threatroom_collab_update_log_flush_seconds_count', { outcome: 'committed' }),
      ).toBeGreaterThan(0);
    });

    // Labels carry the route pattern, never a raw path with ids in it.
    const after = await scrape();
    const routes = new Set(
      after
        .filter((s) => s.name === 'threatroom_http_request_duration_seconds_count')
        .map((s) => s.labels.route),
    );
    expect(routes).toContain(route);
    expect([...routes].filter((r) => r?.includes(tm.id))).toEqual([]);

    client.destroy();
    await vi.waitFor(async () =>
      expect(total(await scrape(), 'threatroom_collab_connections')).toBe(0),
    );
  });

  it('exposes the levels, durations and process metrics the operations docs list', async () => {
    const names = new Set((await scrape()).map((s) => s.name));
    for (const name of [
      'threatroom_collab_update_log_queue_depth',
      'threatroom_collab_update_log_queue_bytes',
      'threatroom_db_pool_max_connections',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('refuses a missing or wrong token with 401', async () => {
    const none = await fetch(`${srv.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await fetch(`${srv.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('threatroom_');
  });
});

describe('metrics without METRICS_TOKEN', () => {
  let srv: TestServer;
  let metricsServer: ServerType | undefined;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    metricsServer?.close();
    await srv.close();
  });

  it('the public port does not serve them, with or without a bearer token', async () => {
    const res = await fetch(`${srv.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('threatroom_');
    const guessed = await fetch(`${srv.url}/metrics`, {
      headers: { authorization: 'Bearer anything-at-all-0123456789' },
    });
    expect(guessed.status).toBe(404);
  });

  it('the separate metrics listener (METRICS_PORT) serves them, and nothing else', async () => {
    // As server/main.ts runs it, on a port of its own.
    metricsServer = await new Promise<ServerType>((resolve) => {
      const s = serve(
        { fetch: createMetricsApp(srv.deps.metrics).fetch, port: 0, hostname: '127.0.0.1' },
        () => resolve(s),
      );
    });
    const { port } = metricsServer.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('threatroom_collab_connections 0');
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(404);
  });
});
