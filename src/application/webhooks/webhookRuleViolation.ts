export type WebhookRuleCode = 'WEBHOOK_ENDPOINT_NOT_FOUND' | 'WEBHOOK_URL_REFUSED';

/** A webhook endpoint request that breaks a rule: an unknown id, a URL the policy refuses. */
export class WebhookRuleViolation extends Error {
  override readonly name = 'WebhookRuleViolation';

  constructor(
    readonly code: WebhookRuleCode,
    message: string,
  ) {
    super(message);
  }
}
