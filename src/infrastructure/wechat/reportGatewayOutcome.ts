import type { Logger } from 'pino';
import type { RefundOutcome, RefundQueryOutcome } from '../../application/ports/refundGateway.js';

/**
 * One log line per WeChat Pay call, at the level its outcome deserves. `requestId` is v3's
 * Request-ID header, which WeChat's support asks for.
 */
export const reportGatewayOutcome = (
  logger: Logger,
  operation: 'refund' | 'refundquery',
  outRefundNo: string,
  outcome: RefundOutcome | RefundQueryOutcome,
  requestId?: string,
): void => {
  const context = {
    operation,
    outRefundNo,
    outcome: outcome.kind,
    ...(requestId !== undefined && { requestId }),
  };
  switch (outcome.kind) {
    case 'misconfigured':
      // An operator must act (SIGNERROR, CERT_ERROR, NOAUTH, …). Messages hold no secret: they
      // are WeChat's err_code_des/return_msg or Node's error text.
      logger.error(
        { ...context, code: outcome.code, reason: outcome.message },
        'WeChat Pay configuration problem',
      );
      return;
    case 'retryable':
      logger.warn(
        { ...context, code: outcome.code, reason: outcome.message },
        'WeChat Pay call to retry',
      );
      return;
    case 'rejected':
      logger.info({ ...context, code: outcome.code }, 'WeChat Pay refused');
      return;
    case 'accepted':
    case 'found':
    case 'not_found':
      logger.info(context, 'WeChat Pay answered');
  }
};
