/**
 * A loopback TCP proxy in front of a server, for cutting a client off without touching the
 * server: `cut()` drops every connection through it (the client sees the server hang up),
 * `block()` also turns new connections away until `unblock()` (as a partition would).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** `127.0.0.1:port` of the proxy. */
  readonly address: string;
  /** Drops every open connection. */
  cut(): void;
  /** Drops every open connection and closes new ones at once, until `unblock()`. */
  block(): void;
  unblock(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`cannot read the proxy's port from ${String(address)}`);
  const cut = () => {
    for (const socket of [...open]) socket.destroy();
  };
  return {
    address: `127.0.0.1:${address.port}`,
    cut,
    block: () => {
      blocked = true;
      cut();
    },
    unblock: () => {
      blocked = false;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
