import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createTestContext, type TestContext, type TestContextOptions } from './context';

export interface TestServer extends TestContext {
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port>/collab (WebsocketProvider's serverUrl; it appends the room). */
  collabUrl: string;
  server: ServerType;
}

/**
 * The real HTTP + WebSocket server on an ephemeral port, over a fresh test database: the app
 * from createApp and the collab upgrade handler, wired exactly as server/main.ts wires them.
 */
export async function startTestServer(options: TestContextOptions = {}): Promise<TestServer> {
  const ctx = await createTestContext(options);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: ctx.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  server.on('upgrade', (req, socket, head) => ctx.collab.handleUpgrade(req, socket, head));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    ...ctx,
    url,
    collabUrl: `ws://127.0.0.1:${port}/collab`,
    server,
    close: async () => {
      server.close();
      await ctx.close();
    },
  };
}
