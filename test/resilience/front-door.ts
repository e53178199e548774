import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backendHeader } from './readers.js';

/**
 * A round-robin load balancer on loopback, the one address (and so the one issuer,
 * PUBLIC_URL) apps use while server processes behind it come and go. A call carrying
 * `x-test-backend: <n>` goes to the n-th live process. With no live process, or when
 * the connection to one fails before it answers, the client gets a 502; a process that
 * dies mid-answer cuts the client's connection, as a real balancer would.
 */
export async function startFrontDoor(targets: () => (string | undefined)[]) {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const live = targets();
    const pinned = req.headers[backendHeader];
    const chosen = typeof pinned === 'string' ? live[Number(pinned)] : pickRoundRobin();
    function pickRoundRobin() {
      const up = live.filter((t): t is string => t !== undefined);
      return up.length ? up[next++ % up.length] : undefined;
    }
    if (!chosen) {
      res.writeHead(502).end();
      return;
    }
    const target = new URL(chosen);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
        reply.on('error', () => res.destroy());
        reply.on('aborted', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
