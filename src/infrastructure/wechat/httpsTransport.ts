import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import type { MerchantCertificate } from './merchantCertificate.js';
import { errorMessage } from '../../application/errorMessage.js';

export type TransportResult =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer }
  /** No HTTP answer: code is Node's error code (ECONNRESET, CERT_HAS_EXPIRED, …) or TIMEOUT. */
  | { kind: 'failure'; code: string; message: string };

export type HttpsTransport = {
  post(url: string, body: string, contentType: string): Promise<TransportResult>;
  /** Any call; the body (if any) is sent as UTF-8 with its length. */
  request(
    method: 'GET' | 'POST',
    url: string,
    options: { headers: Record<string, string>; body?: string },
  ): Promise<TransportResult>;
  /**
   * A call whose answer body is streamed, however large (a bill): timeoutMs covers the wait for
   * the answer's head, and the body may then take its time as long as it never stalls that long.
   */
  stream(
    method: 'GET' | 'POST',
    url: string,
    options: { headers: Record<string, string>; body?: string },
  ): Promise<StreamedResult>;
  close(): void;
};

export type StreamedResult =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Readable }
  | Extract<TransportResult, { kind: 'failure' }>;

export type HttpsTransportOptions = {
  /** The merchant client certificate, for mutual TLS (API v2's secapi; v3 needs none). */
  certificate?: MerchantCertificate;
  /** A file of extra PEM CA certificates to trust besides the system ones (WECHAT_CA_PATH). */
  caPath?: string;
  /** Extra PEM CA certificates, as text. */
  ca?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Connections kept to the API host; calls beyond them wait for a free one. */
  maxSockets?: number;
};

type TransportFailure = Extract<TransportResult, { kind: 'failure' }>;

/** Node's own error codes carry no secrets; messages of TLS errors name certificates at most. */
const failureOf = (error: unknown): TransportFailure => {
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'NETWORK_ERROR';
  return { kind: 'failure', code, message: errorMessage(error) };
};

const withLength = (headers: Record<string, string>, body: string | undefined) => ({
  ...headers,
  ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body, 'utf8')) }),
});

/**
 * HTTPS, with the merchant client certificate when given (mutual TLS, required by v2's
 * secapi/pay/refund). The
 * server is verified against the system CAs plus the extra ones, so adding a sandbox or test CA
 * never stops the real host from being verified. keepAlive reuses connections across calls.
 */
export const createHttpsTransport = ({
  certificate,
  caPath,
  ca,
  timeoutMs = 10_000,
  maxResponseBytes = 64 * 1024,
  maxSockets = 64,
}: HttpsTransportOptions): HttpsTransport => {
  const extraCas = [
    ...(caPath === undefined ? [] : [readFileSync(caPath, 'utf8')]),
    ...(ca === undefined ? [] : [ca]),
  ];
  // One secure context for every connection: building it parses the merchant key and the whole
  // CA bundle, which per connection cost more CPU than the calls themselves under load.
  const secureContext = tls.createSecureContext({
    ...(certificate !== undefined && { cert: certificate.certPem, key: certificate.keyPem }),
    ca: [...tls.rootCertificates, ...extraCas],
  });
  const agent = new https.Agent({ keepAlive: true, maxSockets, secureContext });

  const request: HttpsTransport['request'] = (method, url, { headers, body }) =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (result: TransportResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const call = https.request(
        url,
        {
          method,
          agent,
          headers: withLength(headers, body),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxResponseBytes) {
              settle({
                kind: 'failure',
                code: 'RESPONSE_TOO_LARGE',
                message: 'response too large',
              });
              call.destroy();
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () =>
            settle({
              kind: 'response',
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', (error) => settle(failureOf(error)));
        },
      );
      // The whole call, connection and TLS handshake included, gets timeoutMs.
      const timer = setTimeout(() => {
        settle({ kind: 'failure', code: 'TIMEOUT', message: `no answer within ${timeoutMs} ms` });
        call.destroy();
      }, timeoutMs);
      call.on('error', (error) => settle(failureOf(error)));
      if (body === undefined) call.end();
      else call.end(body, 'utf8');
    });

  const stream: HttpsTransport['stream'] = (method, url, { headers, body }) =>
    new Promise((resolve) => {
      const call = https.request(url, { method, agent, headers: withLength(headers, body) });
      const timer = setTimeout(() => {
        resolve({ kind: 'failure', code: 'TIMEOUT', message: `no answer within ${timeoutMs} ms` });
        call.destroy();
      }, timeoutMs);
      call.on('response', (response) => {
        clearTimeout(timer);
        // A stalled body ends in an error on the stream, which its reader sees.
        response.setTimeout(timeoutMs, () =>
          response.destroy(new Error(`the answer stalled for ${timeoutMs} ms`)),
        );
        resolve({
          kind: 'response',
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: response,
        });
      });
      call.on('error', (error) => {
        clearTimeout(timer);
        resolve(failureOf(error));
      });
      if (body === undefined) call.end();
      else call.end(body, 'utf8');
    });

  const post: HttpsTransport['post'] = (url, body, contentType) =>
    request('POST', url, { headers: { 'content-type': contentType }, body });

  return { post, request, stream, close: () => agent.destroy() };
};
