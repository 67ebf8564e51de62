import { z } from 'zod';
import { run } from './processes.js';

const statsSchema = z.object({
  deliveries: z.number(),
  distinctEvents: z.number(),
  lagP99Ms: z.number(),
});
export type WebhookSinkStats = z.infer<typeof statsSchema>;

/**
 * A local webhook receiver for the benchmark, in a process of its own (webhookSinkServer.ts):
 * answers 204 at once and keeps, per delivery, how long after its event was recorded it arrived
 * (the delivery lag).
 */
export const startWebhookSink = async () => {
  const child = run('node', ['--import', 'tsx', 'bench/support/webhookSinkServer.ts']);
  const base = await child.firstLine;
  return {
    url: `${base}/hooks`,
    /** Deliveries received, distinct events among them, and the lag p99 so far. */
    stats: async (): Promise<WebhookSinkStats> =>
      statsSchema.parse(await (await fetch(`${base}/stats`)).json()),
    close: child.stop,
  };
};

export type WebhookSink = Awaited<ReturnType<typeof startWebhookSink>>;

/** Registers the sink as a webhook endpoint for every event type; answers the endpoint's id. */
export const subscribe = async (serviceUrl: string, sinkUrl: string): Promise<string> => {
  const response = await fetch(`${serviceUrl}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: sinkUrl }),
  });
  if (response.status !== 201) throw new Error(`registering the sink: ${response.status}`);
  return z.object({ id: z.string() }).parse(await response.json()).id;
};

/** Enables or disables an endpoint (PATCH …/webhook-endpoints/{id}). */
export const setEndpointStatus = async (
  serviceUrl: string,
  id: string,
  status: 'enabled' | 'disabled',
): Promise<void> => {
  const response = await fetch(`${serviceUrl}/v1/webhook-endpoints/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  });
  if (response.status !== 200) throw new Error(`setting the sink ${status}: ${response.status}`);
};
