import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRsaSigner } from '../../../src/infrastructure/wechat/v3/rsaSigner.js';
import { chinaTimeToIso } from '../../../src/infrastructure/wechat/wechatFieldSchemas.js';
import type { SandboxRefund } from '../../../src/sandbox/sandboxRefund.js';
import { sandboxV3Files } from '../../../src/sandbox/sandboxV3Keys.js';
import {
  sealedV3Notification,
  v3Notification,
  wechatpaySignatureHeaders,
  type WechatpaySigningKey,
} from '../../../src/sandbox/sandboxV3Protocol.js';
import {
  anyJson,
  fieldChange,
  fuzzRuns,
  fuzzTimeoutMs,
  nastyText,
  startFuzzedService,
  withChanges,
  type FuzzedService,
} from './support/httpFuzz.js';
import {
  chinaTime,
  knownRefunds,
  mutate,
  notifiedTerms,
  notMerchantNo,
  refundIdText,
  textMutation,
} from './support/notificationFuzz.js';

const statuses = ['SUCCESS', 'CLOSED', 'ABNORMAL'] as const;
const eventTypeOf = {
  SUCCESS: 'REFUND.SUCCESS',
  CLOSED: 'REFUND.CLOSED',
  ABNORMAL: 'REFUND.ABNORMAL',
};

/** JSON values WeChat never sends as an amount: text, fractions, signs, beyond 32 bits. */
const randomAmount = fc.oneof(
  anyJson(),
  fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 40, 2 ** 53, Number.MAX_SAFE_INTEGER, '100', null),
);

describe('POST /wechat/v3/refund-notify under random and mutated input', () => {
  let s: FuzzedService;
  let known: SandboxRefund[];
  let key: WechatpaySigningKey;
  beforeAll(async () => {
    s = await startFuzzedService();
    known = await knownRefunds(s);
    const sandbox = s.service.wechat.sandbox!;
    key = {
      serial: sandbox.platformPublicKeyId,
      sign: createRsaSigner(
        createPrivateKey(
          readFileSync(path.join(sandbox.certDir, sandboxV3Files.publicKeySigningKey)),
        ),
      ),
    };
  });
  afterAll(() => s.close());

  const notify = (body: string, headers: Record<string, string>) =>
    s.send({ method: 'POST', url: '/wechat/v3/refund-notify', headers, payload: body });
  /** Signed now with WeChat Pay's public key, as the sandbox signs. */
  const signed = (body: string) => ({
    'content-type': 'application/json',
    ...wechatpaySignatureHeaders(key, body, new Date()),
  });

  /** v3's answer: 204 and nothing, or a JSON FAIL. */
  const expectV3Answer = (response: { statusCode: number; body: string }): void => {
    if (response.statusCode === 204) expect(response.body).toBe('');
    else expect(JSON.parse(response.body)).toMatchObject({ code: 'FAIL' });
  };

  it(
    'given validly signed and encrypted notifications with random field values, then never a 5xx, nothing written when refused, a stored refund can be fetched, and a clean audit',
    async () => {
      const sandbox = s.service.wechat.sandbox!;
      const answers = new Set<number>();
      const valid = notifiedTerms(known).chain(({ outRefundNo, outTradeNo, totalFee, refundFee }) =>
        fc.record({
          mchid: fc.constant(sandbox.mchId),
          out_trade_no: fc.constant(outTradeNo),
          transaction_id: fc.stringMatching(/^42\d{26}$/),
          out_refund_no: fc.constant(outRefundNo),
          refund_id: refundIdText,
          success_time: chinaTime.map(chinaTimeToIso),
          user_received_account: fc.constant('支付用户零钱'),
          amount: fc.record({
            total: fc.constant(totalFee),
            refund: fc.constant(refundFee),
            payer_total: fc.constant(totalFee),
            payer_refund: fc.constantFrom(refundFee, 0),
          }),
        }),
      );
      const change = fc.oneof(
        fieldChange(
          [
            ['amount', 'total'],
            ['amount', 'refund'],
            ['amount', 'payer_total'],
            ['amount', 'payer_refund'],
          ],
          randomAmount,
        ),
        fieldChange([['out_trade_no']], notMerchantNo(32)),
        fieldChange([['out_refund_no']], notMerchantNo(64)),
        fieldChange(
          [
            ['mchid'],
            ['transaction_id'],
            ['refund_id'],
            ['success_time'],
            ['user_received_account'],
            ['amount'],
            ['__proto__'],
          ],
          anyJson(),
        ),
      );
      const notification = fc.record({
        status: fc.constantFrom(...statuses),
        eventMatches: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, fc.constant(false)),
        resource: fc
          .tuple(valid, fc.array(change, { maxLength: 3 }))
          .map(([resource, changes]) => withChanges(resource, changes)),
      });
      await fc.assert(
        fc.asyncProperty(notification, async ({ status, eventMatches, resource }) => {
          const plaintext = JSON.stringify({
            ...resource,
            refund_status: eventMatches ? status : statuses.find((other) => other !== status),
          });
          const { body, headers } = sealedV3Notification(
            plaintext,
            { eventType: eventTypeOf[status], summary: '退款' },
            { apiV3Key: sandbox.apiV3Key, key, now: new Date() },
          );
          const response = await notify(body, headers);
          answers.add(response.statusCode);
          expectV3Answer(response);
          if (response.statusCode === 204) await s.expectFetchable(resource.out_refund_no);
        }),
        fuzzRuns(600),
      );
      expect([...answers].sort()).toEqual(expect.arrayContaining([204, 400, 409]));
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );

  it(
    'given real notifications mutated, signed again or not, then never a 5xx, nothing written when refused, and a clean audit',
    async () => {
      const sandbox = s.service.wechat.sandbox!;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...known),
          fc.constantFrom('SUCCESS', 'REFUNDCLOSE', 'CHANGE'),
          fc.array(textMutation(), { minLength: 1, maxLength: 3 }),
          fc.boolean(),
          async (refund, status, mutations, signAgain) => {
            const real = v3Notification(
              { ...refund, status, api: 'v3' },
              { mchId: sandbox.mchId, apiV3Key: sandbox.apiV3Key, key, now: new Date() },
            );
            const body = mutations.reduce(mutate, real.body);
            const response = await notify(body, signAgain ? signed(body) : real.headers);
            expectV3Answer(response);
          },
        ),
        fuzzRuns(400),
      );
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );

  it(
    'given random bodies and signature headers, then a 4xx FAIL, never a 5xx, and nothing written',
    async () => {
      const header = fc.oneof(nastyText(), fc.stringMatching(/^\d{10}$/));
      const headers = fc.oneof(
        fc.constant('valid' as const),
        fc.record(
          {
            'wechatpay-timestamp': header,
            'wechatpay-nonce': header,
            'wechatpay-signature': fc.oneof(fc.base64String({ maxLength: 344 }), header),
            'wechatpay-serial': fc.oneof(fc.constant(key.serial), header),
          },
          { requiredKeys: [] },
        ),
      );
      const body = fc.oneof(
        anyJson().map((json) => JSON.stringify(json) ?? ''),
        nastyText(),
      );
      await fc.assert(
        fc.asyncProperty(body, headers, async (text, chosen) => {
          const response = await notify(
            text,
            chosen === 'valid'
              ? signed(text)
              : Object.fromEntries(
                  Object.entries(chosen).map(([name, value]) => [
                    name,
                    value.replace(/[^\t\x20-\x7e]/g, '?'),
                  ]),
                ),
          );
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expectV3Answer(response);
        }),
        fuzzRuns(400),
      );
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );
});
