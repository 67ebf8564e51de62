import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RefundNotification } from '../../../../src/application/refundNotification.js';
import {
  notificationFailReply,
  notificationSuccessReply,
} from '../../../../src/infrastructure/wechat/notificationReply.js';

export type ReceivedNotification<T = RefundNotification> = {
  /** When it arrived, relative to other events the test records (a counter, not a clock). */
  sequence: number;
  notification: T;
};

/** A v2 decoder, or v3's (which reads the signature headers too and may download keys). */
export type ReceiverDecoder<T> = (body: Buffer, headers: IncomingHttpHeaders) => T | Promise<T>;

const replies = {
  v2: {
    success: (response: http.ServerResponse) => response.end(notificationSuccessReply),
    fail: (response: http.ServerResponse, status: number, reason: string) =>
      response.writeHead(status).end(notificationFailReply(reason)),
  },
  v3: {
    success: (response: http.ServerResponse) => response.writeHead(204).end(),
    fail: (response: http.ServerResponse, status: number, reason: string) =>
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'FAIL', message: reason })),
  },
};

/**
 * A small notify_url for tests: decodes what the sandbox posts with the real decoder and answers
 * success, or FAIL while `failNext` is above zero (to exercise WeChat's retries), in the replies
 * of the API it speaks.
 */
export const startNotifyReceiver = async <T = RefundNotification>(
  decode: ReceiverDecoder<T>,
  { api = 'v2' }: { api?: 'v2' | 'v3' } = {},
) => {
  const reply = replies[api];
  const received: ReceivedNotification<T>[] = [];
  const undecodable: unknown[] = [];
  let failNext = 0;
  let sequence = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        try {
          const notification = await decode(Buffer.concat(chunks), request.headers);
          if (failNext > 0) {
            failNext -= 1;
            reply.fail(response, api === 'v2' ? 200 : 503, 'not now');
            return;
          }
          received.push({ sequence: ++sequence, notification });
          reply.success(response);
        } catch (error) {
          undecodable.push(error);
          reply.fail(response, 400, 'undecodable');
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${api === 'v2' ? '/wechat/refund-notify' : '/wechat/v3/refund-notify'}`,
    received: () => [...received],
    undecodable: () => [...undecodable],
    /** The next n notifications are answered FAIL. */
    failNext: (n: number) => void (failNext = n),
    /** A counter shared with the test, to order what happened. */
    mark: () => ++sequence,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export type NotifyReceiver<T = RefundNotification> = Awaited<
  ReturnType<typeof startNotifyReceiver<T>>
>;
