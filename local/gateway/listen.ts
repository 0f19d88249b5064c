import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts listening and resolves with the bound port. A busy port rejects with a message that
 * names the port and, when given, the environment variable that chooses another.
 */
export function listen(server: Server, port: number, host: string, portEnvName?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        const remedy = portEnvName ? `set ${portEnvName} to another port` : 'choose another port';
        reject(new Error(`Port ${port} is already in use; ${remedy}`, { cause: error }));
      } else {
        reject(error);
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Stops accepting connections and drops idle keep-alive sockets so close() does not hang. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** `host:port` as API Gateway's `domainName` would carry it (IPv6 hosts bracketed). */
export function hostWithPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
