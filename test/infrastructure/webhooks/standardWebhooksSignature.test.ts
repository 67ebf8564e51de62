import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { standardWebhooksSignature } from '../../../src/infrastructure/webhooks/standardWebhooksSignature.js';
import { newWebhookSecret } from '../../../src/application/webhooks/webhookEndpoints.js';

describe('Standard Webhooks signature', () => {
  it('given the test vector of WEBHOOKS.md, then the signature is the one every reference library computes', () => {
    expect(
      standardWebhooksSignature(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], {
        id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        timestamp: 1614265330,
        body: '{"test": 2432232314}',
      }),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('given two secrets (a rotation), then two signatures, and the standardwebhooks package accepts either secret', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const body = '{"id":"e1"}';
    const signature = standardWebhooksSignature([current, previous], { id: 'e1', timestamp, body });
    const headers = {
      'webhook-id': 'e1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };

    expect(signature.split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual({ id: 'e1' });
    expect(new Webhook(previous).verify(body, headers)).toEqual({ id: 'e1' });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('given a new secret, then it is whsec_ and base64 of 32 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});
