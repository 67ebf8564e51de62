import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { NotificationOutcome } from '../../application/handleRefundNotification.js';
import type { CommandContext } from '../../application/eventMetadata.js';
import { reportedStatus, type RefundReport } from '../../application/refundReport.js';
import { RefundRuleViolation } from '../../domain/index.js';
import type { RefundNotificationDecoder } from '../wechat/refundNotificationDecoder.js';
import {
  RefundNotificationError,
  type RefundNotificationErrorCode,
} from '../wechat/refundNotificationError.js';
import { notificationFailReply, notificationSuccessReply } from '../wechat/notificationReply.js';
import type { V3RefundNotificationDecoder } from '../wechat/v3/v3RefundNotificationDecoder.js';
import { reportOfNotification } from '../wechat/v2RefundReport.js';
import { statusOf } from './problemFromError.js';

/** WeChat's notifications are small; anything larger is refused before it is read (413). */
export const notifyBodyLimit = 64 * 1024;

export type NotifyResult = 'recorded' | 'duplicate' | 'refused' | 'contradiction' | 'unavailable';

/** How one API version's notify_url answers WeChat (DESIGN §5). */
type Dialect = {
  path: string;
  succeed: (reply: FastifyReply) => FastifyReply;
  fail: (reply: FastifyReply, status: number, reason: string) => FastifyReply;
  /** The status for a notification its decoder refused. */
  refusal: (code: RefundNotificationErrorCode) => number;
};

const v2: Dialect = {
  path: '/wechat/refund-notify',
  succeed: (reply) =>
    reply.code(200).type('text/xml; charset=utf-8').send(notificationSuccessReply),
  fail: (reply, status, reason) =>
    reply.code(status).type('text/xml; charset=utf-8').send(notificationFailReply(reason)),
  refusal: (code) => (code === 'NOTIFY_TOO_LARGE' ? 413 : 400),
};

// Refusals that say the sender did not prove to be WeChat Pay.
const unauthentic = new Set<RefundNotificationErrorCode>([
  'NOTIFY_SIGNATURE_HEADERS_MISSING',
  'NOTIFY_SIGNATURE_TEST',
  'NOTIFY_TIMESTAMP_STALE',
  'NOTIFY_SERIAL_UNKNOWN',
  'NOTIFY_SIGNATURE_INVALID',
  'NOTIFY_V3_NOT_CONFIGURED',
]);

const v3: Dialect = {
  path: '/wechat/v3/refund-notify',
  // WECHAT-V3.md §6: success is 200 or 204 with no body.
  succeed: (reply) => reply.code(204).send(),
  fail: (reply, status, reason) =>
    reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ code: 'FAIL', message: reason })),
  refusal: (code) => (code === 'NOTIFY_TOO_LARGE' ? 413 : unauthentic.has(code) ? 401 : 400),
};

/**
 * POST /wechat/refund-notify (v2, XML) and POST /wechat/v3/refund-notify (v3, JSON): DESIGN §5.
 * Both stay mounted whichever API sends refunds, since refunds sent before a switch are notified
 * by the API they were sent with. No bearer token: a v2 notification is authentic when req_info
 * decrypts with our API key and appid/mch_id are ours; a v3 one when its signature verifies and
 * its resource decrypts to our mchid. Success is answered only once the result is durably stored
 * or known; anything else answers FAIL so WeChat delivers it again. Never a 500.
 */
export const refundNotifyRoute =
  ({
    decode,
    decodeV3,
    handle,
    onResult = () => undefined,
    maxInFlight = 256,
  }: {
    decode: RefundNotificationDecoder;
    /** Absent when API v3 is not configured: v3 notifications are then refused. */
    decodeV3?: V3RefundNotificationDecoder;
    handle: (report: RefundReport, context: CommandContext) => Promise<NotificationOutcome>;
    onResult?: (result: NotifyResult) => void;
    /** Notifications handled at once, both routes together; beyond it WeChat delivers again later. */
    maxInFlight?: number;
  }): FastifyPluginAsync =>
  async (app) => {
    let inFlight = 0;
    // Whatever the declared type, the body is read as bytes and judged by the decoder (v3's
    // signature covers the exact bytes), so a wrong Content-Type is refused with a FAIL body like
    // any other bad input.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: notifyBodyLimit },
      (_request, body, done) => done(null, body),
    );

    const dialectOf = (request: FastifyRequest): Dialect =>
      request.url.startsWith(v3.path) ? v3 : v2;

    app.setErrorHandler(async (error, request, reply) => {
      const dialect = dialectOf(request);
      const status = statusOf(error) ?? 500;
      if (status >= 400 && status < 500) {
        onResult('refused');
        request.log.warn({ status, ip: request.ip }, 'refused a refund notification');
        return dialect.fail(reply, status, status === 413 ? 'body too large' : 'bad request');
      }
      onResult('unavailable');
      request.log.error({ err: error }, 'could not store a refund notification');
      return dialect.fail(reply, 503, 'temporarily unavailable');
    });

    const intake =
      (
        dialect: Dialect,
        decodeBody: (body: Buffer, request: FastifyRequest) => Promise<RefundReport>,
      ) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        let report: RefundReport;
        try {
          report = await decodeBody(body, request);
        } catch (error) {
          if (!(error instanceof RefundNotificationError)) throw error;
          // A forgery, another merchant's notification, or a wrong key: a security warning,
          // with the code and the sender, never the body or the key.
          onResult('refused');
          request.log.warn({ code: error.code, ip: request.ip }, 'refused a refund notification');
          return dialect.fail(reply, dialect.refusal(error.code), error.code);
        }
        const context = {
          correlationId: request.id,
          causationId: request.id,
          source: 'notification',
        } as const;
        // Load shedding: WeChat delivers again on its retry schedule, so a FAIL now costs
        // nothing, while queueing without bound would exhaust memory when it sends faster than
        // we can store.
        if (inFlight >= maxInFlight) {
          onResult('unavailable');
          return dialect.fail(reply, 503, 'busy, deliver again later');
        }
        inFlight += 1;
        try {
          const outcome = await handle(report, context);
          onResult(outcome);
          request.log.info(
            {
              outRefundNo: report.outRefundNo,
              refundStatus: reportedStatus(report.outcome),
              outcome,
            },
            'refund notification handled',
          );
          return dialect.succeed(reply);
        } catch (error) {
          if (!(error instanceof RefundRuleViolation)) throw error;
          onResult('contradiction');
          request.log.error(
            {
              outRefundNo: report.outRefundNo,
              refundStatus: reportedStatus(report.outcome),
              code: error.code,
              err: error,
            },
            'refund notification contradicts the recorded refund',
          );
          return dialect.fail(reply, 409, error.code);
        } finally {
          inFlight -= 1;
        }
      };

    const routeOptions = { schema: { hide: true }, bodyLimit: notifyBodyLimit };
    app.post(
      v2.path,
      routeOptions,
      intake(v2, async (body) => reportOfNotification(decode(body))),
    );
    app.post(
      v3.path,
      routeOptions,
      intake(v3, async (body, request) => {
        if (decodeV3 === undefined) {
          throw new RefundNotificationError(
            'NOTIFY_V3_NOT_CONFIGURED',
            'API v3 is not configured (WECHAT_API_V3_KEY, WECHAT_MERCHANT_SERIAL_NO)',
          );
        }
        return decodeV3(request.headers, body);
      }),
    );
  };
