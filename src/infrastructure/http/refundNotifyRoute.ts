import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { NotificationOutcome } from '../../application/handleRefundNotification.js';
import type { CommandContext } from '../../application/eventMetadata.js';
import type { RefundNotification } from '../../application/refundNotification.js';
import type { RefundReport } from '../../application/refundReport.js';
import { RefundRuleViolation } from '../../domain/index.js';
import type { RefundNotificationDecoder } from '../wechat/refundNotificationDecoder.js';
import { RefundNotificationError } from '../wechat/refundNotificationError.js';
import { notificationFailReply, notificationSuccessReply } from '../wechat/notificationReply.js';
import { reportOfNotification } from '../wechat/v2RefundReport.js';
import { statusOf } from './problemFromError.js';

/** WeChat's notifications are small; anything larger is refused before it is read (413). */
export const notifyBodyLimit = 64 * 1024;

export type NotifyResult = 'recorded' | 'duplicate' | 'refused' | 'contradiction' | 'unavailable';

const xml = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).type('text/xml; charset=utf-8').send(body);

/**
 * POST /wechat/refund-notify (DESIGN §5). No bearer token: a notification is authentic when its
 * req_info decrypts with our API key and appid/mch_id are ours. SUCCESS is answered only once the
 * result is durably stored or known; anything else answers FAIL so WeChat delivers it again.
 * Every answer is WeChat's XML, never a 500.
 */
export const refundNotifyRoute =
  ({
    decode,
    handle,
    onResult = () => undefined,
    maxInFlight = 256,
  }: {
    decode: RefundNotificationDecoder;
    handle: (report: RefundReport, context: CommandContext) => Promise<NotificationOutcome>;
    onResult?: (result: NotifyResult) => void;
    /** Notifications handled at once; beyond it WeChat is asked to deliver again later. */
    maxInFlight?: number;
  }): FastifyPluginAsync =>
  async (app) => {
    let inFlight = 0;
    // WeChat posts text/xml; whatever the declared type, the body is read as text and judged by
    // the decoder, so a wrong Content-Type is refused with a FAIL body like any other bad input.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: notifyBodyLimit },
      (_request, body, done) => done(null, body),
    );

    app.setErrorHandler(async (error, request, reply) => {
      const status = statusOf(error) ?? 500;
      if (status >= 400 && status < 500) {
        onResult('refused');
        request.log.warn({ status, ip: request.ip }, 'refused a refund notification');
        return xml(
          reply,
          status,
          notificationFailReply(status === 413 ? 'body too large' : 'bad request'),
        );
      }
      onResult('unavailable');
      request.log.error({ err: error }, 'could not store a refund notification');
      return xml(reply, 503, notificationFailReply('temporarily unavailable'));
    });

    app.post(
      '/wechat/refund-notify',
      { schema: { hide: true }, bodyLimit: notifyBodyLimit },
      async (request, reply) => {
        const body = typeof request.body === 'string' ? request.body : '';
        let notification: RefundNotification;
        try {
          notification = decode(body);
        } catch (error) {
          if (!(error instanceof RefundNotificationError)) throw error;
          // A forgery, another merchant's notification, or a wrong API key: a security warning,
          // with the code and the sender, never the body or the key.
          onResult('refused');
          request.log.warn({ code: error.code, ip: request.ip }, 'refused a refund notification');
          return xml(
            reply,
            error.code === 'NOTIFY_TOO_LARGE' ? 413 : 400,
            notificationFailReply(error.code),
          );
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
          return xml(reply, 503, notificationFailReply('busy, deliver again later'));
        }
        inFlight += 1;
        try {
          const outcome = await handle(reportOfNotification(notification), context);
          onResult(outcome);
          request.log.info(
            {
              outRefundNo: notification.outRefundNo,
              refundStatus: notification.refundStatus,
              outcome,
            },
            'refund notification handled',
          );
          return xml(reply, 200, notificationSuccessReply);
        } catch (error) {
          if (!(error instanceof RefundRuleViolation)) throw error;
          onResult('contradiction');
          request.log.error(
            {
              outRefundNo: notification.outRefundNo,
              refundStatus: notification.refundStatus,
              code: error.code,
              err: error,
            },
            'refund notification contradicts the recorded refund',
          );
          return xml(reply, 409, notificationFailReply(error.code));
        } finally {
          inFlight -= 1;
        }
      },
    );
  };
