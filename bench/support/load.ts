import autocannon from 'autocannon';

export type LoadResult = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
};

export type LoadOptions = {
  url: string;
  method?: 'GET' | 'POST';
  connections?: number;
  durationSeconds?: number;
  contentType?: string;
  /** Requests per second over all connections (a steady probe); default: as fast as answered. */
  overallRate?: number;
  /** The body of the n-th request, or its path for GETs. */
  body?: (n: number) => string;
  path?: (n: number) => string;
};

/** Drives a URL with autocannon (64 connections, 10 s by default) from this process. */
export const load = async ({
  url,
  method = 'POST',
  connections = 64,
  durationSeconds = 10,
  contentType = 'application/json',
  overallRate,
  body,
  path,
}: LoadOptions): Promise<LoadResult> => {
  let n = 0;
  const result = await autocannon({
    url,
    method,
    connections,
    duration: durationSeconds,
    ...(overallRate !== undefined && { overallRate }),
    headers: { 'content-type': contentType },
    requests: [
      {
        setupRequest: (request) => {
          const i = n++;
          return {
            ...request,
            ...(body && { body: body(i) }),
            ...(path && { path: path(i) }),
          };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
};
