import { z } from 'zod';
import { delaySchedule, integer } from './variableTypes.js';

export type WebhookConfig = {
  /** Delays between attempts after the first, immediate one (before jitter). */
  retryScheduleMs: number[];
  timeoutMs: number;
  /** http URLs and loopback, private or link-local addresses allowed (sandbox mode's default). */
  allowPrivateUrls: boolean;
};

/** Webhook delivery (DESIGN §4, WEBHOOKS.md). */
export const webhookVariables = z.object({
  WEBHOOK_RETRY_SCHEDULE_SECONDS: delaySchedule('5,300,1800').default(
    [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400].map((s) => s * 1000),
  ),
  WEBHOOK_TIMEOUT_MS: integer(1, 600_000).default(15_000),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
});

export const webhookConfig = (
  v: z.infer<typeof webhookVariables> & { WECHAT_MODE: 'sandbox' | 'live' },
): WebhookConfig => ({
  retryScheduleMs: v.WEBHOOK_RETRY_SCHEDULE_SECONDS,
  timeoutMs: v.WEBHOOK_TIMEOUT_MS,
  allowPrivateUrls: v.WEBHOOK_ALLOW_PRIVATE_URLS ?? v.WECHAT_MODE === 'sandbox',
});
