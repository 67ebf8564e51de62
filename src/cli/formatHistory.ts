import type { JsonObject, JsonValue, RecordedEvent } from '../application/ports/eventStore.js';
import { CorruptEventError, decodeRefundEvent } from '../application/refundEventCodec.js';
import { assertNever, type RefundEvent } from '../domain/index.js';

const text = (value: JsonValue | undefined): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '-';

const optional = (label: string, value: string | number | undefined): string[] =>
  value === undefined ? [] : [`${label} ${value}`];

/** The essentials of an event, in the words of DESIGN §6. */
const essentials = (event: RefundEvent): string[] => {
  switch (event.type) {
    case 'RefundRequested': {
      const d = event.data;
      return [
        `refundFee ${d.refundFee} of totalFee ${d.totalFee} fen, order ${d.outTradeNo}`,
        `attempt ${d.attempt}, origin ${d.origin}, requested at ${d.requestedAt}`,
        ...optional('transactionId', d.transactionId),
        ...optional('reason', d.reason === undefined ? undefined : JSON.stringify(d.reason)),
        ...optional('from', d.refundAccount),
      ];
    }
    case 'RefundAccepted': {
      const d = event.data;
      return [
        `WeChat refund_id ${d.refundId}, refundFee ${d.refundFee} fen, accepted at ${d.acceptedAt}`,
        ...optional('settlementRefundFee', d.settlementRefundFee),
        ...optional('transactionId', d.transactionId),
      ];
    }
    case 'RefundSucceeded': {
      const d = event.data;
      return [
        `WeChat refund_id ${d.refundId}, refundFee ${d.refundFee} fen (settlement ${d.settlementRefundFee})`,
        `to ${d.refundRecvAccount}, from ${d.refundAccount}, requested via ${d.refundRequestSource}`,
        `success_time ${d.successTime}, recorded at ${d.recordedAt}`,
      ];
    }
    case 'RefundFailed': {
      const d = event.data;
      return [
        `${d.stage} failure ${d.code}: ${JSON.stringify(d.message)}, failed at ${d.failedAt}`,
        ...optional('WeChat refund_id', d.refundId),
      ];
    }
    default:
      return assertNever(event);
  }
};

const causedBy = (metadata: JsonObject): string =>
  `by ${text(metadata.source)} · correlation ${text(metadata.correlationId)} · ` +
  `causation ${text(metadata.causationId)} · schema ${text(metadata.schemaVersion)}`;

const describe = (recorded: RecordedEvent): string[] => {
  try {
    return essentials(decodeRefundEvent(recorded).event);
  } catch (error) {
    if (!(error instanceof CorruptEventError)) throw error;
    return ['not a valid refund event; as stored:', JSON.stringify(recorded.data)];
  }
};

/** One refund's events as a timeline: when, what, the essentials, and who caused it. */
export const formatHistory = ({ stream, events }: { stream: string; events: RecordedEvent[] }) => {
  const lines = [
    `${stream}: ${events.length} event${events.length === 1 ? '' : 's'} (times as recorded, UTC)`,
  ];
  for (const recorded of events) {
    lines.push(
      '',
      `${recorded.recordedAt}  #${recorded.revision}  ${recorded.type}  (position ${recorded.position})`,
      ...describe(recorded).map((line) => `    ${line}`),
      `    ${causedBy(recorded.metadata)}`,
    );
  }
  return `${lines.join('\n')}\n`;
};
