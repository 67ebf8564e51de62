import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptReqInfo } from '../../../src/infrastructure/wechat/reqInfoCipher.js';
import { buildWechatXml, parseWechatXml } from '../../../src/infrastructure/wechat/xmlCodec.js';
import type { SandboxRefund } from '../../../src/sandbox/sandboxRefund.js';
import { sandboxNotificationBody } from '../../../src/sandbox/sandboxNotifier.js';
import {
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
  randomAmountText,
  refundIdText,
  textMutation,
} from './support/notificationFuzz.js';

/** The XML element names WeChat uses, the ones JavaScript objects have, and any. */
const elementName = fc.oneof(
  fc.constantFrom(
    'xml',
    'root',
    'return_code',
    'appid',
    'mch_id',
    'req_info',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
  ),
  fc.stringMatching(/^[A-Za-z_][\w.-]{0,8}$/),
);

/** Random XML: elements, text, CDATA, entities, comments, attributes, DTDs and deep nesting. */
const randomXml = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyText(),
    fc
      .tuple(elementName, fc.array(tie('node'), { maxLength: 4 }), fc.boolean())
      .map(([name, children, attribute]) =>
        attribute
          ? `<${name} a="${children.length}">${children.join('')}</${name}>`
          : `<${name}>${children.join('')}</${name}>`,
      ),
    nastyText().map((text) => `<![CDATA[${text}]]>`),
    fc.constantFrom(
      '&lt;',
      '&amp;',
      '&#0;',
      '&#x1F;',
      '&xx;',
      '&#1114112;',
      '<!-- c -->',
      '<?pi x?>',
    ),
    elementName.map((name) => `<${name}/>`),
  ),
})).node;

const hostileXml = fc.oneof(
  randomXml.map((node) => `<xml>${node}</xml>`),
  randomXml,
  fc.integer({ min: 1, max: 400 }).map((depth) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`),
  fc
    .integer({ min: 1, max: 400 })
    .map((depth) => `<xml>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</xml>`),
  fc.constantFrom(
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml><appid>&a;</appid></xml>',
    '<?xml version="1.0" encoding="UTF-16"?><xml/>',
    '<xml><return_code>SUCCESS</return_code><return_code>SUCCESS</return_code></xml>',
    '<xml><constructor>x</constructor></xml>',
    '<xml><__proto__><polluted>1</polluted></__proto__></xml>',
    `<xml>${'x'.repeat(70 * 1024)}</xml>`,
    '<xml>',
    '',
  ),
);

describe('POST /wechat/refund-notify under random and mutated input', () => {
  let s: FuzzedService;
  let known: SandboxRefund[];
  beforeAll(async () => {
    s = await startFuzzedService();
    known = await knownRefunds(s);
  });
  afterAll(() => s.close());

  const notify = (payload: string | Buffer) =>
    s.send({
      method: 'POST',
      url: '/wechat/refund-notify',
      headers: { 'content-type': 'text/xml' },
      payload,
    });

  /** WeChat's XML answer: SUCCESS with 200, FAIL with anything else. */
  const expectWechatAnswer = (response: { statusCode: number; body: string }): void => {
    expect(response.statusCode === 200 ? 'SUCCESS' : 'FAIL').toBe(
      parseWechatXml(response.body).return_code,
    );
  };

  it(
    'given random XML and bytes, then a 4xx FAIL, never a 5xx, and nothing written',
    async () => {
      const body = fc.oneof(
        hostileXml,
        fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      );
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const response = await notify(payload);
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expectWechatAnswer(response);
        }),
        fuzzRuns(600),
      );
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );

  it(
    'given real notifications mutated, then never a 5xx, nothing written when refused, and a clean audit',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...known),
          fc.constantFrom('SUCCESS', 'REFUNDCLOSE', 'CHANGE'),
          fc.array(textMutation(), { minLength: 1, maxLength: 3 }),
          async (refund, status, mutations) => {
            const real = sandboxNotificationBody({ ...refund, status }, s.service.wechat.merchant);
            const response = await notify(mutations.reduce(mutate, real));
            expectWechatAnswer(response);
          },
        ),
        fuzzRuns(500),
      );
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );

  it(
    'given validly encrypted notifications with random field values, then never a 5xx, nothing written when refused, a stored refund can be fetched, and a clean audit',
    async () => {
      const { appid, mchId, apiKey } = s.service.wechat.merchant;
      const statuses = new Set<number>();
      const valid = notifiedTerms(known).chain(({ outRefundNo, outTradeNo, totalFee, refundFee }) =>
        fc.record({
          transaction_id: fc.stringMatching(/^42\d{26}$/),
          out_trade_no: fc.constant(outTradeNo),
          refund_id: refundIdText,
          out_refund_no: fc.constant(outRefundNo),
          total_fee: fc.constant(String(totalFee)),
          settlement_total_fee: fc.constant(String(totalFee)),
          refund_fee: fc.constant(String(refundFee)),
          settlement_refund_fee: fc.constantFrom(String(refundFee), '0'),
          refund_status: fc.constantFrom('SUCCESS', 'CHANGE', 'REFUNDCLOSE'),
          success_time: chinaTime,
          refund_recv_accout: fc.constantFrom('支付用户零钱', '招商银行信用卡0403'),
          refund_account: fc.constant('REFUND_SOURCE_UNSETTLED_FUNDS'),
          refund_request_source: fc.constantFrom('API', 'VENDOR_PLATFORM'),
        }),
      );
      const change = fc.oneof(
        fieldChange(
          [['total_fee'], ['settlement_total_fee'], ['refund_fee'], ['settlement_refund_fee']],
          randomAmountText,
        ),
        fieldChange([['out_trade_no']], notMerchantNo(32)),
        fieldChange([['out_refund_no']], notMerchantNo(64)),
        fieldChange(
          [
            ['transaction_id'],
            ['refund_id'],
            ['refund_status'],
            ['success_time'],
            ['refund_recv_accout'],
            ['refund_account'],
            ['refund_request_source'],
            ['__proto__'],
          ],
          nastyText(),
        ),
      );
      const fields = fc
        .tuple(valid, fc.array(change, { maxLength: 3 }))
        .map(([inner, changes]) => withChanges(inner, changes));
      await fc.assert(
        fc.asyncProperty(fields, async (inner) => {
          const text = Object.fromEntries(
            Object.entries(inner).map(([name, value]) => [name, String(value)]),
          );
          const reqInfo = encryptReqInfo(buildWechatXml(text, 'root'), apiKey);
          const response = await notify(
            buildWechatXml({
              return_code: 'SUCCESS',
              appid,
              mch_id: mchId,
              nonce_str: 'n',
              req_info: reqInfo,
            }),
          );
          statuses.add(response.statusCode);
          expectWechatAnswer(response);
          if (response.statusCode === 200) await s.expectFetchable(String(inner.out_refund_no));
        }),
        fuzzRuns(800),
      );
      expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 409]));
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );
});
