import type { CommandContext } from './eventMetadata.js';
import type { RefundCommandHandler } from './handleRefundCommand.js';
import type { Clock } from './ports/clock.js';
import type { IdempotencyGuard } from './ports/idempotencyGuard.js';
import { commandForReport, reportedStatus, type RefundReport } from './refundReport.js';

/** recorded: its events are durably stored. duplicate: already known, nothing was written. */
export type NotificationOutcome = 'recorded' | 'duplicate';

/**
 * A refund result WeChat notifies, of any API version, becomes its command (commandForReport).
 * Duplicates (WeChat retries for about 24 hours, and sends duplicates anyway) are answered from
 * the idempotency guard without touching the write side; the stream stays the authority when the
 * guard has not caught up. Throws RefundRuleViolation when the notification contradicts what is
 * recorded (another refund_id, another amount, a failure after success).
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
  async (report: RefundReport, context: CommandContext): Promise<NotificationOutcome> => {
    if (await guard.notificationSeen(report.refundId, reportedStatus(report.outcome))) {
      return 'duplicate';
    }
    const result = await handle(commandForReport(report, clock.now().toISOString()), context);
    return result.appended.length > 0 ? 'recorded' : 'duplicate';
  };
