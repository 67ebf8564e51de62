import { readFileSync } from 'node:fs';
import https from 'node:https';
import { z } from 'zod';
import { refundBody } from './endToEnd.js';
import { load } from './load.js';

// The mass refund bench's calls (bench/massRefunds.bench.ts): to the sandbox's control endpoints
// and to the service.

const callCount = z.object({
  calls: z.number(),
  rateLimited: z.number(),
  byOutRefundNo: z.record(z.string(), z.number()),
});
export const callsSchema = z.object({
  refund: callCount,
  query: callCount,
  notifications: z.object({
    attempts: z.number(),
    acknowledged: z.number(),
    failures: z.record(z.string(), z.number()),
  }),
});
const listSchema = z.object({
  data: z.array(z.object({ outRefundNo: z.string(), status: z.string(), updatedAt: z.string() })),
  nextCursor: z.string().nullable(),
});

/** Reads a sandbox control endpoint (over its own CA). */
export const sandboxGet = (baseUrl: string, caPath: string, what: string) =>
  new Promise<unknown>((resolve, reject) => {
    https
      .get(`${baseUrl}${what}`, { ca: readFileSync(caPath) }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });

/** Posts refunds prefix0…prefix(count-1) from 64 connections, each again until it is taken. */
export const postAll = async (url: string, prefix: string, count: number) => {
  let next = 0;
  let retries = 0;
  const worker = async () => {
    for (let n = next++; n < count; n = next++) {
      for (;;) {
        const answer = await fetch(`${url}/v1/refunds`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: refundBody(prefix, n),
        }).catch(() => undefined);
        await answer?.arrayBuffer();
        if (answer && answer.status < 300) break;
        retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return retries;
};

/** Every refund of a status, paging through GET /v1/refunds. */
export const listAll = async (url: string, status: string) => {
  const all: z.infer<typeof listSchema>['data'] = [];
  let cursor: string | null = '';
  while (cursor !== null) {
    const query = `status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = listSchema.parse(await (await fetch(`${url}/v1/refunds?${query}`)).json());
    all.push(...page.data);
    cursor = page.nextCursor;
  }
  return all;
};

export const noneIn = async (url: string, status: string) =>
  listSchema.parse(await (await fetch(`${url}/v1/refunds?status=${status}&limit=1`)).json()).data
    .length === 0;

/** p99 of duplicate notifications, then of reads, each a steady 40 requests a second. */
export const probe = async (
  url: string,
  notifications: string[],
  ids: string[],
  probeSeconds: number,
) => {
  const notify = await load({
    url: `${url}/wechat/refund-notify`,
    contentType: 'text/xml',
    connections: 8,
    overallRate: 40,
    durationSeconds: probeSeconds,
    body: (n) => notifications[n % notifications.length]!,
  });
  const read = await load({
    url: `${url}/v1/refunds`,
    method: 'GET',
    connections: 8,
    overallRate: 40,
    durationSeconds: probeSeconds,
    path: (n) => `/v1/refunds/${ids[n % ids.length]!}`,
  });
  return { notify, read };
};

export type ProbeFigures = Awaited<ReturnType<typeof probe>>;
