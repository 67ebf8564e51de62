import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  BillDateRefused,
  BillUnavailable,
  BillUnreadable,
} from '../../application/bills/billErrors.js';
import { InvalidCursor } from '../../application/documentQuery.js';
import { ConcurrencyConflict } from '../../application/handleRefundCommand.js';
import { StoreUnavailable } from '../../application/ports/storeHealth.js';
import { CorruptEventError } from '../../application/refundEventCodec.js';
import { WebhookRuleViolation } from '../../application/webhooks/webhookRuleViolation.js';
import {
  OrderRuleViolation,
  RefundRuleViolation,
  type OrderRuleCode,
  type RefundRuleCode,
  assertNever,
} from '../../domain/index.js';
import { problem, type FieldError, type Problem } from './problem.js';

/** The one place where errors become HTTP answers. Anything not recognised is a 500. */
export const problemFromError = (error: unknown): Problem => {
  if (error instanceof RefundRuleViolation) {
    return problem(statusOfRule(error.code), error.code, titleOfRule(error.code), {
      detail: error.message,
    });
  }
  if (error instanceof OrderRuleViolation) {
    return problem(422, error.code, titleOfOrderRule(error.code), { detail: error.message });
  }
  if (error instanceof ConcurrencyConflict) {
    return problem(503, error.code, 'Too many concurrent changes to this refund', {
      detail: 'Try the request again.',
    });
  }
  if (error instanceof WebhookRuleViolation) {
    return error.code === 'WEBHOOK_ENDPOINT_NOT_FOUND'
      ? problem(404, error.code, 'No such webhook endpoint', { detail: error.message })
      : problem(400, error.code, 'This URL cannot receive webhooks', { detail: error.message });
  }
  if (error instanceof BillUnavailable) {
    return problem(502, error.code, "WeChat Pay's refund bill is not available", {
      detail: error.message,
    });
  }
  if (error instanceof BillUnreadable) {
    return problem(502, error.code, "WeChat Pay's refund bill cannot be read", {
      detail: error.message,
    });
  }
  if (error instanceof BillDateRefused) {
    return problem(400, error.code, 'No bill can exist for this date', { detail: error.message });
  }
  if (error instanceof InvalidCursor) {
    return problem(400, error.code, 'The cursor is not valid', { detail: error.message });
  }
  if (error instanceof StoreUnavailable) {
    return problem(503, error.code, 'A store the service needs does not answer', {
      detail: 'Try the request again later.',
    });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const location = 'validationContext' in error ? String(error.validationContext) : 'body';
    return problem(400, 'VALIDATION_FAILED', 'The request is not valid', {
      detail: 'See errors for each field.',
      errors: error.validation.flatMap((issue: ValidationIssue) => fieldErrors(issue, location)),
    });
  }
  if (error instanceof CorruptEventError) {
    // The refund's stream holds an event the service cannot read: that refund alone is
    // unavailable (the event is named in the log, /readyz and the audit), never a 500.
    return problem(503, error.code, 'A stored event of this refund could not be read', {
      detail: 'The refund cannot be read or changed until its stream is repaired.',
    });
  }
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return clientProblem(status, error);
  }
  return problem(500, 'INTERNAL_ERROR', 'Internal server error');
};

const statusOfRule = (code: RefundRuleCode): number => {
  switch (code) {
    case 'REFUND_NOT_FOUND':
      return 404;
    case 'INVALID_REFUND_TERMS':
      return 400;
    case 'REFUND_NO_CONFLICT':
    case 'REFUND_NOT_RETRYABLE':
    case 'REFUND_ALREADY_SUCCEEDED':
    case 'REFUND_ALREADY_FAILED':
    case 'REFUND_ALREADY_ACCEPTED':
    case 'REFUND_ID_MISMATCH':
    case 'REFUND_AMOUNT_MISMATCH':
      return 409;
    default:
      return assertNever(code);
  }
};

const titleOfOrderRule = (code: OrderRuleCode): string => {
  switch (code) {
    case 'TOTAL_FEE_MISMATCH':
      return "totalFee differs from the order's earlier refunds";
    case 'REFUND_EXCEEDS_ORDER':
      return 'The refund would exceed what the order can still refund';
    case 'TOO_MANY_REFUNDS':
      return 'The order already has as many refunds as WeChat Pay allows (50)';
    default:
      return assertNever(code);
  }
};

const titleOfRule = (code: RefundRuleCode): string => {
  switch (code) {
    case 'REFUND_NOT_FOUND':
      return 'No such refund';
    case 'INVALID_REFUND_TERMS':
      return 'The refund terms are not valid';
    case 'REFUND_NO_CONFLICT':
      return 'This outRefundNo was already used for a different refund';
    case 'REFUND_NOT_RETRYABLE':
      return 'Only a refund that failed at request can be retried';
    case 'REFUND_ALREADY_SUCCEEDED':
    case 'REFUND_ALREADY_FAILED':
    case 'REFUND_ALREADY_ACCEPTED':
    case 'REFUND_ID_MISMATCH':
    case 'REFUND_AMOUNT_MISMATCH':
      return 'The change contradicts what is recorded for this refund';
    default:
      return assertNever(code);
  }
};

type ValidationIssue = { instancePath: string; message?: string; params: Record<string, unknown> };

const fieldErrors = (issue: ValidationIssue, location: string): FieldError[] => {
  const keys = issue.params['keys'];
  if (Array.isArray(keys)) {
    return keys.map((key) => ({ field: String(key), in: location, message: 'unknown field' }));
  }
  const field = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  return [{ field: field || location, in: location, message: issue.message ?? 'invalid' }];
};

/** The HTTP status an error carries (fastify's own errors do), if any. */
export const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'statusCode' in error
    ? Number(error.statusCode)
    : undefined;

const fastifyCodeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;

const unauthorized = problem(401, 'UNAUTHORIZED', 'A valid bearer token is required');

/** Fastify's own refusals (bad JSON, wrong media type, oversized body, no token) with stable codes. */
const fastifyRefusals: Record<string, Problem> = {
  FST_ERR_CTP_INVALID_JSON_BODY: problem(400, 'MALFORMED_JSON', 'The body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: problem(400, 'MALFORMED_JSON', 'The body is not valid JSON'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: problem(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'The body must be application/json',
  ),
  FST_ERR_CTP_BODY_TOO_LARGE: problem(413, 'PAYLOAD_TOO_LARGE', 'The body is too large'),
  // @fastify/bearer-auth's refusals: no Authorization header, or not one of our tokens.
  FST_BEARER_AUTH_MISSING_AUTHORIZATION_HEADER: unauthorized,
  FST_BEARER_AUTH_INVALID_AUTHORIZATION_HEADER: unauthorized,
};

const clientProblem = (status: number, error: unknown): Problem =>
  fastifyRefusals[fastifyCodeOf(error) ?? ''] ??
  problem(status, 'BAD_REQUEST', 'The request could not be processed');
