// The bench's webhook receiver, run as a process of its own (webhookSink.ts starts it), so that
// receiving deliveries does not take the load generator's event loop. Prints its base URL as its
// first line; POST /hooks receives, GET /stats answers the counts and the lag p99.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const lagsMs: number[] = [];
const ids = new Set<string>();

const stats = () => {
  const sorted = [...lagsMs].sort((a, b) => a - b);
  return {
    deliveries: lagsMs.length,
    distinctEvents: ids.size,
    lagP99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
  };
};

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats()));
    return;
  }
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const event = JSON.parse(body) as { id: string; createdAt: string };
    ids.add(event.id);
    lagsMs.push(Date.now() - Date.parse(event.createdAt));
    response.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
