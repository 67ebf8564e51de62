import {
  agreedTermFields,
  assertNever,
  refundTermKinds,
  restatedTerms,
  type RefundEvent,
  type RefundTermField,
  type RefundTerms,
} from '../domain/index.js';

/** The terms an event may state otherwise; one naming another refund is a STREAM_MISMATCH. */
type TermField = Exclude<RefundTermField, 'outRefundNo'>;

/** A term of the refund that an event states otherwise than the refund's first request. */
export type TermChange = {
  field: TermField;
  agreed: string | number | null;
  stated: string | number | null;
};

export const isAmount = (change: TermChange): boolean => refundTermKinds[change.field] === 'fen';

const compare = (
  changes: TermChange[],
  field: TermField,
  agreed: string | number | undefined,
  stated: string | number | undefined,
): void => {
  if (agreed !== stated) changes.push({ field, agreed: agreed ?? null, stated: stated ?? null });
};

/**
 * The terms an event states differently from the agreed ones (those of the first request). A
 * retry restates them all but may choose its own funds account (DESIGN §2); the later events
 * state the order and the amount. A transactionId WeChat reports on acceptance may fill in one
 * the request lacked, but not replace it.
 */
export const termChanges = (agreed: RefundTerms, event: RefundEvent): TermChange[] => {
  const changes: TermChange[] = [];
  compare(changes, 'outTradeNo', agreed.outTradeNo, event.data.outTradeNo);
  switch (event.type) {
    case 'RefundRequested':
      for (const field of agreedTermFields) {
        if (field === 'outRefundNo' || field === 'outTradeNo') continue;
        compare(changes, field, agreed[field], event.data[field]);
      }
      break;
    case 'RefundAccepted':
      if (agreed.transactionId !== undefined && event.data.transactionId !== undefined) {
        compare(changes, 'transactionId', agreed.transactionId, event.data.transactionId);
      }
      compare(changes, 'refundFee', agreed.refundFee, event.data.refundFee);
      break;
    case 'RefundSucceeded':
      compare(changes, 'refundFee', agreed.refundFee, event.data.refundFee);
      break;
    case 'RefundFailed':
      break;
    default:
      return assertNever(event);
  }
  return changes;
};

/**
 * The event as if it stated the agreed terms. The audit judges and folds this one, so that a
 * changed term is reported once, as itself, and not again at every later event as a transition
 * from a state with other terms.
 */
export const withAgreedTerms = (event: RefundEvent, agreed: RefundTerms): RefundEvent => {
  const outTradeNo = agreed.outTradeNo;
  switch (event.type) {
    case 'RefundRequested': {
      const { requestedAt, attempt, origin } = event.data;
      return {
        type: event.type,
        data: { ...restatedTerms(agreed, event.data), requestedAt, attempt, origin },
      };
    }
    case 'RefundAccepted': {
      const transactionId = agreed.transactionId ?? event.data.transactionId;
      return {
        type: event.type,
        data: {
          ...event.data,
          outTradeNo,
          refundFee: agreed.refundFee,
          ...(transactionId !== undefined && { transactionId }),
        },
      };
    }
    case 'RefundSucceeded':
      return { type: event.type, data: { ...event.data, outTradeNo, refundFee: agreed.refundFee } };
    case 'RefundFailed':
      return { type: event.type, data: { ...event.data, outTradeNo } };
    default:
      return assertNever(event);
  }
};
