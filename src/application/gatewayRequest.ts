import type { RefundRequestedData } from '../domain/index.js';
import { causedBy, type CommandContext } from './eventMetadata.js';
import type { RecordedEvent } from './ports/eventStore.js';
import { decodeRefundEvent } from './refundEventCodec.js';

export type GatewayRequest = { request: RefundRequestedData; context: CommandContext };

/**
 * The refund attempt an event asks the gateway to send (a RefundRequested), with the context its
 * answer is recorded under; undefined for any other event. Throws CorruptEventError for an event
 * that does not decode.
 */
export const gatewayRequestOf = (recorded: RecordedEvent): GatewayRequest | undefined => {
  const { event } = decodeRefundEvent(recorded);
  if (event.type !== 'RefundRequested') return undefined;
  return { request: event.data, context: causedBy(recorded, 'gateway') };
};
