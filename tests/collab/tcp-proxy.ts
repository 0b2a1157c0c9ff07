import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Where new connections go (a restarted server listens on a new port). */
  setTarget(port: number): void;
  /** Cuts every open connection and refuses new ones: a network outage. */
  cut(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP forwarder on 127.0.0.1 for outage tests: between the server and Postgres it is a
 * database outage from the server's point of view (without stopping the shared Postgres);
 * between clients and the server it holds reconnecting clients back until the test lets them.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  let down = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    setTarget: (port) => {
      target = port;
    },
    cut: () => {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore: () => {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
