import type { RefundGateway } from '../../application/ports/refundGateway.js';
import type { Metrics } from './metrics.js';

/** The gateway, counting each call by outcome and timing it. */
export const instrumentedGateway = (gateway: RefundGateway, metrics: Metrics): RefundGateway => {
  const timed = async <T extends { kind: string }>(operation: string, call: () => Promise<T>) => {
    const stop = metrics.gatewayDuration.startTimer({ operation });
    try {
      const outcome = await call();
      metrics.gatewayCalls.inc({ operation, outcome: outcome.kind });
      return outcome;
    } catch (error) {
      metrics.gatewayCalls.inc({ operation, outcome: 'error' });
      throw error;
    } finally {
      stop();
    }
  };
  return {
    refund: (request) => timed('refund', () => gateway.refund(request)),
    queryRefund: (outRefundNo) => timed('refundquery', () => gateway.queryRefund(outRefundNo)),
  };
};
