import { assertNever } from '../assertNever.js';
import type { RefundEvent } from './refundEvents.js';
import type { Refund } from './refundState.js';
import { refundTerms } from './refundTerms.js';

/**
 * Folds what already happened. Never throws: an event that should not have happened
 * (the audit finds those with illegalTransition) leaves the state as it can best be told.
 */
export const evolve = (state: Refund, event: RefundEvent): Refund => {
  switch (event.type) {
    case 'RefundRequested': {
      const requested = refundTerms(event.data);
      return {
        status: 'REQUESTED',
        // A retry restates the first request's terms and may name its own funds account.
        terms: state.status === 'NONE' ? requested : state.terms,
        attemptTerms: requested,
        origin: event.data.origin,
        attempt: event.data.attempt,
      };
    }
    case 'RefundAccepted':
      if (state.status === 'NONE') return state;
      return known(state, { status: 'ACCEPTED', refundId: event.data.refundId });
    case 'RefundSucceeded':
      if (state.status === 'NONE') return state;
      return known(state, { status: 'SUCCEEDED', refundId: event.data.refundId });
    case 'RefundFailed': {
      if (state.status === 'NONE') return state;
      const { stage, code } = event.data;
      return state.refundId === undefined
        ? known(state, { status: 'FAILED', stage, code })
        : known(state, { status: 'FAILED', stage, code, refundId: state.refundId });
    }
    default:
      return assertNever(event);
  }
};

/**
 * What the state already knew, then what the event says. Object.assign rather than
 * `{ ...known, status }`: Node 20's V8 adds each property a spread copy lacks through a slow path
 * (microseconds each), and every reader of a stream, and the audit of every event, comes here.
 */
const known = <E extends object>(state: Exclude<Refund, { status: 'NONE' }>, then: E) =>
  Object.assign(
    {
      terms: state.terms,
      attemptTerms: state.attemptTerms,
      origin: state.origin,
      attempt: state.attempt,
    },
    then,
  );
