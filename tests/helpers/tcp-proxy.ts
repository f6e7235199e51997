/**
 * A TCP proxy on 127.0.0.1 in front of a real server, that a test can cut
 * (every connection dropped, new ones refused) and restore: the server
 * itself stays up for the other tests, but the worker sees it die.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './net.js';

export type TcpProxy = {
  readonly port: number;
  /** Drops every connection and stops accepting: the server looks dead. */
  readonly cut: () => Promise<void>;
  /** Accepts connections again on the same port. */
  readonly restore: () => Promise<void>;
  readonly close: () => Promise<void>;
};

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = createConnection({ host: targetHost, port: targetPort });
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (server === undefined) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return { port, cut: stop, restore: listen, close: stop };
}
