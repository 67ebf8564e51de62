import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local webhook receiver for the benchmark: answers 204 at once and keeps, per delivery, how
 * long after its event was recorded it arrived (the delivery lag).
 */
export const startWebhookSink = async () => {
  const lagsMs: number[] = [];
  const ids = new Set<string>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const event = JSON.parse(body) as { id: string; createdAt: string };
      ids.add(event.id);
      lagsMs.push(Date.now() - Date.parse(event.createdAt));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    deliveries: () => lagsMs.length,
    distinctEvents: () => ids.size,
    lagP99Ms: () => {
      const sorted = [...lagsMs].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export type WebhookSink = Awaited<ReturnType<typeof startWebhookSink>>;

/** Registers the sink as a webhook endpoint for every event type. */
export const subscribe = async (serviceUrl: string, sinkUrl: string): Promise<void> => {
  const response = await fetch(`${serviceUrl}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: sinkUrl }),
  });
  if (response.status !== 201) throw new Error(`registering the sink: ${response.status}`);
};
