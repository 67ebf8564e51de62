import { createHmac } from 'node:crypto';

const secretPrefix = 'whsec_';

/**
 * Standard Webhooks 1.0, symmetric scheme (WEBHOOKS.md): HMAC-SHA256, keyed with the base64-decoded
 * part of `whsec_…`, over `${id}.${timestamp}.${body}`; `v1,<base64>` per secret, separated by
 * spaces (a rotation signs with both).
 */
export const standardWebhooksSignature = (
  secrets: readonly string[],
  { id, timestamp, body }: { id: string; timestamp: number; body: string },
): string =>
  secrets
    .map((secret) => {
      const key = Buffer.from(
        secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret,
        'base64',
      );
      const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
      return `v1,${mac}`;
    })
    .join(' ');
