import { assertNever } from '../assertNever.js';
import type { RefundEvent } from './refundEvents.js';
import type { Refund } from './refundState.js';
import { refundTerms, sameAgreedTerms } from './refundTerms.js';

/**
 * Why an event may not follow a state (DESIGN §2), or undefined when it may.
 * decide only ever produces legal events; the audit uses this on logs it did not write.
 */
export const illegalTransition = (state: Refund, event: RefundEvent): string | undefined => {
  switch (event.type) {
    case 'RefundRequested': {
      if (state.status === 'NONE') {
        return event.data.attempt === 1 ? undefined : 'the first request must be attempt 1';
      }
      if (state.status !== 'FAILED' || state.stage !== 'request') {
        return `a new attempt may only follow a request-stage failure, not ${state.status}`;
      }
      if (event.data.attempt !== state.attempt + 1) {
        return `attempt ${event.data.attempt} does not follow attempt ${state.attempt}`;
      }
      // A retry may draw from another funds account (DESIGN §2); the other terms stay.
      return sameAgreedTerms(state.terms, refundTerms(event.data))
        ? undefined
        : 'a retry changed the terms of the refund';
    }
    case 'RefundAccepted':
      if (state.status !== 'REQUESTED') return `RefundAccepted may not follow ${state.status}`;
      return amountChanged(state.terms.refundFee, event.data.refundFee);
    case 'RefundSucceeded':
      if (state.status === 'NONE' || state.status === 'SUCCEEDED') {
        return `RefundSucceeded may not follow ${state.status}`;
      }
      return amountChanged(state.terms.refundFee, event.data.refundFee);
    case 'RefundFailed':
      if (state.status === 'REQUESTED') return undefined;
      if (state.status === 'ACCEPTED' && event.data.stage === 'settlement') return undefined;
      return `RefundFailed at ${event.data.stage} may not follow ${state.status}`;
    default:
      return assertNever(event);
  }
};

const amountChanged = (requested: number, recorded: number): string | undefined =>
  requested === recorded
    ? undefined
    : `refundFee changed from ${requested} to ${recorded} after the request`;
