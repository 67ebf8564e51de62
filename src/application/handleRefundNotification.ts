import type { RefundCommand } from '../domain/index.js';
import type { CommandContext } from './eventMetadata.js';
import type { RefundCommandHandler } from './handleRefundCommand.js';
import type { Clock } from './ports/clock.js';
import type { IdempotencyGuard } from './ports/idempotencyGuard.js';
import type { RefundNotification } from './refundNotification.js';

/** recorded: its events are durably stored. duplicate: already known, nothing was written. */
export type NotificationOutcome = 'recorded' | 'duplicate';

/**
 * A refund result from WeChat becomes a command: SUCCESS settles the refund, CHANGE and
 * REFUNDCLOSE (v3: ABNORMAL and CLOSED) fail it at settlement with that status as the code. Duplicates (WeChat retries for
 * about 24 hours, and sends duplicates anyway) are answered from the idempotency guard without
 * touching the write side; the stream stays the authority when the guard has not caught up.
 * Throws RefundRuleViolation when the notification contradicts what is recorded.
 */
export const handleRefundNotification =
  ({
    handle,
    guard,
    clock,
  }: {
    handle: RefundCommandHandler;
    guard: IdempotencyGuard;
    clock: Clock;
  }) =>
  async (
    notification: RefundNotification,
    context: CommandContext,
  ): Promise<NotificationOutcome> => {
    if (await guard.notificationSeen(notification.refundId, notification.refundStatus)) {
      return 'duplicate';
    }
    const result = await handle(commandFor(notification, clock.now().toISOString()), context);
    return result.appended.length > 0 ? 'recorded' : 'duplicate';
  };

const commandFor = (n: RefundNotification, at: string): RefundCommand => {
  // With the order, a refund made by hand on the merchant platform opens its own stream.
  const order = { outTradeNo: n.outTradeNo, transactionId: n.transactionId, totalFee: n.totalFee };
  if (n.refundStatus === 'SUCCESS') {
    return {
      type: 'MarkRefundSucceeded',
      data: {
        outRefundNo: n.outRefundNo,
        refundId: n.refundId,
        refundFee: n.refundFee,
        settlementRefundFee: n.settlementRefundFee,
        refundRecvAccount: n.refundRecvAccount,
        refundAccount: n.refundAccount,
        refundRequestSource: n.refundRequestSource,
        successTime: n.successTime ?? at,
        recordedAt: at,
        order,
      },
    };
  }
  return {
    type: 'FailRefund',
    data: {
      outRefundNo: n.outRefundNo,
      stage: 'settlement',
      code: n.refundStatus,
      message:
        n.refundStatus === 'CHANGE' || n.refundStatus === 'ABNORMAL'
          ? `WeChat Pay reported the refund abnormal (${n.refundStatus})`
          : `WeChat Pay closed the refund (${n.refundStatus})`,
      failedAt: at,
      refundId: n.refundId,
      order: { ...order, refundFee: n.refundFee },
    },
  };
};
