import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RefundNotification } from '../../../../src/application/refundNotification.js';
import {
  notificationFailReply,
  notificationSuccessReply,
} from '../../../../src/infrastructure/wechat/notificationReply.js';
import type { RefundNotificationDecoder } from '../../../../src/infrastructure/wechat/refundNotificationDecoder.js';

export type ReceivedNotification = {
  /** When it arrived, relative to other events the test records (a counter, not a clock). */
  sequence: number;
  notification: RefundNotification;
};

/**
 * A small notify_url for tests: decodes what the sandbox posts with the real decoder and answers
 * SUCCESS, or FAIL while `failNext` is above zero (to exercise WeChat's retries).
 */
export const startNotifyReceiver = async (decode: RefundNotificationDecoder) => {
  const received: ReceivedNotification[] = [];
  const undecodable: unknown[] = [];
  let failNext = 0;
  let sequence = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const notification = decode(Buffer.concat(chunks));
        if (failNext > 0) {
          failNext -= 1;
          response.end(notificationFailReply('not now'));
          return;
        }
        received.push({ sequence: ++sequence, notification });
        response.end(notificationSuccessReply);
      } catch (error) {
        undecodable.push(error);
        response.writeHead(400).end(notificationFailReply('undecodable'));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wechat/refund-notify`,
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

export type NotifyReceiver = Awaited<ReturnType<typeof startNotifyReceiver>>;
