import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { encryptReqInfo } from '../infrastructure/wechat/reqInfoCipher.js';
import { buildWechatXml, parseWechatXml } from '../infrastructure/wechat/xmlCodec.js';
import { postNotification, type NotificationReply } from './notificationPost.js';
import { v2RefundAccountOf, type SandboxApi, type SandboxRefund } from './sandboxRefund.js';
import { v3Notification, type WechatpaySigningKey } from './sandboxV3Protocol.js';

/** WeChat's retry delays after a reply that is not SUCCESS (WECHAT.md), in milliseconds. */
export const wechatNotifyRetrySchedule: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
].map((seconds) => seconds * 1000);

export type NotificationDelivery = {
  outRefundNo: string;
  /** 1 for the first delivery, then 2… for WeChat's retries of it; duplicates count as 1. */
  attempt: number;
  acknowledged: boolean;
  reply: string;
};

/** Every delivery attempt so far: how many, how many acknowledged, the others by their reply. */
export type NotificationTally = {
  attempts: number;
  acknowledged: number;
  failures: Record<string, number>;
};

export type SandboxNotifierOptions = {
  appid: string;
  mchId: string;
  apiKey: string;
  apiV3Key: string;
  /** The key that signs the next v3 notification (WeChat mixes both during a migration). */
  v3SigningKey: () => WechatpaySigningKey;
  now: () => Date;
  /** Multiplies every retry delay: 0.001 turns 15 s into 15 ms for tests. */
  timeScale: number;
  logger: Logger;
};

/** The v2 notification WeChat posts: outer XML with req_info, the refund encrypted with the key. */
export const sandboxNotificationBody = (
  refund: SandboxRefund,
  { appid, mchId, apiKey }: Pick<SandboxNotifierOptions, 'appid' | 'mchId' | 'apiKey'>,
): string => {
  const info = buildWechatXml(
    {
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      total_fee: String(refund.totalFee),
      settlement_total_fee: String(refund.totalFee),
      refund_fee: String(refund.refundFee),
      settlement_refund_fee: String(refund.refundFee),
      refund_status: refund.status,
      ...(refund.successTime !== undefined && { success_time: refund.successTime }),
      refund_recv_accout: '支付用户零钱',
      refund_account: v2RefundAccountOf(refund),
      refund_request_source: refund.source,
    },
    'root',
  );
  return buildWechatXml({
    return_code: 'SUCCESS',
    appid,
    mch_id: mchId,
    nonce_str: randomBytes(16).toString('hex'),
    req_info: encryptReqInfo(info, apiKey),
  });
};

const describe = (reply: NotificationReply): string =>
  'error' in reply ? `error: ${reply.error}` : `HTTP ${reply.status} ${reply.body}`;

/**
 * v2: acknowledged only by a 2xx whose XML says return_code SUCCESS. v3: by a 200 or 204
 * (WECHAT-V3.md §6). Anything else is retried.
 */
const isAcknowledged = (reply: NotificationReply, api: SandboxApi): boolean => {
  if ('error' in reply || reply.status < 200 || reply.status >= 300) return false;
  if (api === 'v3') return reply.status === 200 || reply.status === 204;
  try {
    return parseWechatXml(reply.body).return_code === 'SUCCESS';
  } catch {
    return false;
  }
};

/**
 * Delivers refund notifications the way WeChat does, retrying on the WeChat schedule until one is
 * acknowledged. Timers are unref'd and cleared by close(), and close() aborts posts in flight, so
 * a closed sandbox never keeps a process alive.
 */
export const createSandboxNotifier = (options: SandboxNotifierOptions) => {
  const timers = new Set<NodeJS.Timeout>();
  const aborter = new AbortController();
  // Every post in flight listens to it until it ends: many at once is load, not a leak.
  setMaxListeners(0, aborter.signal);
  const deliveries: NotificationDelivery[] = [];
  let closed = false;

  const attempt = async (refund: SandboxRefund, number: number): Promise<boolean> => {
    if (closed || refund.notifyUrl === undefined) return false;
    const delivery =
      refund.api === 'v3'
        ? v3Notification(refund, {
            mchId: options.mchId,
            apiV3Key: options.apiV3Key,
            key: options.v3SigningKey(),
            now: options.now(),
          })
        : {
            body: sandboxNotificationBody(refund, options),
            headers: { 'content-type': 'text/xml' },
          };
    const reply = await postNotification(refund.notifyUrl, delivery, aborter.signal);
    if (closed) return false;
    const acknowledged = isAcknowledged(reply, refund.api);
    deliveries.push({
      outRefundNo: refund.outRefundNo,
      attempt: number,
      acknowledged,
      reply: describe(reply),
    });
    options.logger.debug(
      { outRefundNo: refund.outRefundNo, attempt: number, acknowledged },
      'sandbox notification delivered',
    );
    return acknowledged;
  };

  const after = (ms: number, action: () => void): void => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const retryFrom = (refund: SandboxRefund, failedAttempt: number): void => {
    const delay = wechatNotifyRetrySchedule[failedAttempt - 1];
    if (delay === undefined) return; // WeChat gives up after the schedule, about 24 h.
    after(delay * options.timeScale, () => {
      void attempt(refund, failedAttempt + 1).then((ok) => {
        if (!ok) retryFrom(refund, failedAttempt + 1);
      });
    });
  };

  /** Delivers once now and, unless acknowledged, again on WeChat's schedule. */
  const notify = async (refund: SandboxRefund): Promise<boolean> => {
    if (refund.notifyUrl === undefined) return false;
    const ok = await attempt(refund, 1);
    if (!ok) retryFrom(refund, 1);
    return ok;
  };

  return {
    notify,
    /** The same notification again, beside the retried one: duplicates happen (WECHAT.md). */
    duplicate: (refund: SandboxRefund): Promise<boolean> => attempt(refund, 1),
    after,
    deliveries: (): NotificationDelivery[] => [...deliveries],
    tally: (): NotificationTally => {
      const failures: Record<string, number> = {};
      for (const { acknowledged, reply } of deliveries) {
        if (acknowledged) continue;
        // Replies differ by their refund only after the status and the code.
        const kind = reply.slice(0, 60);
        failures[kind] = (failures[kind] ?? 0) + 1;
      }
      const acknowledged = deliveries.filter((delivery) => delivery.acknowledged).length;
      return { attempts: deliveries.length, acknowledged, failures };
    },
    close: (): void => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      aborter.abort();
    },
  };
};

export type SandboxNotifier = ReturnType<typeof createSandboxNotifier>;
