import { connect, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy to a server, started on a given port: pointing the service at the port
 * before the proxy starts, then starting it, makes "the server appears later" happen on demand.
 */
export const startTcpProxy = async (
  port: number,
  target: { host: string; port: number },
): Promise<{ close: () => Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
