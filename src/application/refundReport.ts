import { assertNever, type Fen, type NotifiedOrder, type RefundCommand } from '../domain/index.js';

/**
 * What WeChat Pay says about a refund it holds, whatever said it: a notification or a query's
 * answer, of API v2 or v3. Each adapter reads its own wire statuses into this (v2: SUCCESS,
 * REFUNDCLOSE, CHANGE, PROCESSING; v3: SUCCESS, CLOSED, ABNORMAL, PROCESSING), and
 * commandForReport is the one place a report becomes a command.
 */
export type RefundReport = {
  outRefundNo: string;
  refundId: string;
  refundFee: Fen;
  /** The order as WeChat names it: with it, a refund made by hand on the merchant platform opens its stream. */
  order?: NotifiedOrder;
  /** When WeChat took the refund, when the report says (the bill does; notifications do not). */
  requestedAt?: string;
  outcome: ReportedOutcome;
};

export type ReportedOutcome =
  | {
      status: 'succeeded';
      /** May be 0: a refund paid entirely by coupon settles nothing (DESIGN §3). */
      settlementRefundFee: Fen;
      refundRecvAccount: string;
      refundAccount: string;
      /** API, or VENDOR_PLATFORM for a refund made by hand on the merchant platform. */
      refundRequestSource: string;
      /** ISO 8601; absent, the time the report is recorded. */
      successTime?: string;
    }
  /**
   * Failed at settlement, with WeChat's status word as the code (v2 REFUNDCLOSE or CHANGE, v3
   * CLOSED or ABNORMAL; an open set). A later success still wins: the money moved.
   */
  | { status: 'failed'; code: string; message: string }
  /** WeChat has the refund and has not settled it yet (query answers). */
  | { status: 'processing'; settlementRefundFee?: Fen };

/**
 * The word a notification's outcome is known by in the idempotency guard: SUCCESS, or the code
 * of the failure (what the guard's projection records from the events).
 */
export const reportedStatus = (outcome: ReportedOutcome): string => {
  switch (outcome.status) {
    case 'succeeded':
      return 'SUCCESS';
    case 'failed':
      return outcome.code;
    case 'processing':
      return 'PROCESSING';
    default:
      return assertNever(outcome);
  }
};

/** The command a report means, recorded at `at`. The decider checks it against the refund. */
export const commandForReport = (report: RefundReport, at: string): RefundCommand => {
  const { outRefundNo, refundId, refundFee, order, requestedAt, outcome } = report;
  const withOrder = order !== undefined && { order };
  switch (outcome.status) {
    case 'succeeded':
      return {
        type: 'MarkRefundSucceeded',
        data: {
          outRefundNo,
          refundId,
          refundFee,
          settlementRefundFee: outcome.settlementRefundFee,
          refundRecvAccount: outcome.refundRecvAccount,
          refundAccount: outcome.refundAccount,
          refundRequestSource: outcome.refundRequestSource,
          successTime: outcome.successTime ?? at,
          recordedAt: at,
          ...withOrder,
          ...(requestedAt !== undefined && { requestedAt }),
        },
      };
    case 'failed':
      return {
        type: 'FailRefund',
        data: {
          outRefundNo,
          stage: 'settlement',
          code: outcome.code,
          message: outcome.message,
          failedAt: at,
          refundId,
          refundFee,
          ...withOrder,
        },
      };
    case 'processing':
      // WeChat has it: for a REQUESTED refund, the acceptance we never recorded.
      return {
        type: 'AcceptRefund',
        data: {
          outRefundNo,
          refundId,
          ...(order !== undefined && { transactionId: order.transactionId }),
          refundFee,
          ...(outcome.settlementRefundFee !== undefined && {
            settlementRefundFee: outcome.settlementRefundFee,
          }),
          acceptedAt: at,
        },
      };
    default:
      return assertNever(outcome);
  }
};
