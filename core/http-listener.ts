/** A Hono app on a real socket, for the servers the CLI keeps up (the dashboard). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ProwebError } from './errors.ts';

/** A listening HTTP server. */
export interface HttpListener {
  /** `http://host:port`, IPv6 hosts in brackets. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting, drops keep-alive connections, resolves once the socket is closed. Idempotent. */
  close(): Promise<void>;
}

/** The socket could not be opened (port taken, address not on this machine...). */
export class ListenFailed extends ProwebError {
  override name = 'ListenFailed';
}

/**
 * Serves `fetch` on `host:port` (port 0 picks a free one) and resolves once it listens.
 *
 * @throws {@link ListenFailed} naming the address and what to do.
 */
export async function listenHttp(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { host: string; port: number; /** How the user chooses the port, for the error: "--port or dashboard.port". */ portSetting?: string },
): Promise<HttpListener> {
  const { host, port } = options;
  const choose = `Choose another port${options.portSetting ? ` (${options.portSetting})` : ''}`;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch, port, hostname: host }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      reject(error.code === 'EADDRINUSE'
        ? new ListenFailed(`port ${port} on ${host} is already in use`, `${choose}, or stop the program that uses it.`, { cause: error })
        : new ListenFailed(`cannot listen on ${where}: ${error.code ?? error.message}`, `Check that ${host} is an address of this machine. ${choose} if the port is the problem.`, { cause: error }));
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    host,
    port: actualPort,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A browser's keep-alive sockets would otherwise hold close() open for seconds.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
