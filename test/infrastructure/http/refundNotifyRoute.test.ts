import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refundNotifyRoute } from '../../../src/infrastructure/http/refundNotifyRoute.js';
import { createRefundNotificationDecoder } from '../../../src/infrastructure/wechat/refundNotificationDecoder.js';
import {
  decodeStrictBase64,
  decryptReqInfo,
  encryptReqInfo,
} from '../../../src/infrastructure/wechat/reqInfoCipher.js';
import { buildWechatXml, parseWechatXml } from '../../../src/infrastructure/wechat/xmlCodec.js';
import type { SandboxRefund } from '../../../src/sandbox/sandboxRefund.js';
import { sandboxNotificationBody } from '../../../src/sandbox/sandboxNotifier.js';
import { eventually } from '../../support/eventually.js';
import { captureLogs, logLevel } from '../../support/logCapture.js';
import { startTestService, type TestService } from '../../support/testService.js';

const success =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

describe('POST /wechat/refund-notify', () => {
  let s: TestService;
  beforeEach(async () => {
    // The reconciler would settle the refunds whose notification the simulator keeps from us.
    s = await startTestService({ RECONCILE_AFTER_SECONDS: '3600' });
  });
  afterEach(() => s.stop());

  const notify = async (body: string, contentType = 'text/xml') => {
    const response = await fetch(`${s.url}/wechat/refund-notify`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    return {
      status: response.status,
      body: await response.text(),
      type: response.headers.get('content-type'),
    };
  };
  const bodyFor = (refund: SandboxRefund, overrides: Partial<typeof s.wechat.merchant> = {}) =>
    sandboxNotificationBody(refund, { ...s.wechat.merchant, ...overrides });
  const eventTypes = async (outRefundNo: string) =>
    (await s.events.readStream(`refund-${outRefundNo}`)).map((e) => e.type);
  /**
   * A refund taken by the simulator, whose own notification is kept from us (lost), once the
   * gateway has recorded the acceptance: nothing else is still on its way to the log.
   */
  const acceptedRefund = async (outRefundNo: string): Promise<SandboxRefund> => {
    const created = await s.call('POST', '/v1/refunds', {
      outTradeNo: `T-${outRefundNo}`,
      outRefundNo,
      totalFee: 500,
      reason: '[sandbox:LOST_NOTIFICATION]',
    });
    expect(created.status).toBe(202);
    return eventually(async () => {
      const refund = s.wechat.sandbox!.refunds().find((r) => r.outRefundNo === outRefundNo);
      expect(refund?.status).toBe('SUCCESS');
      expect(await eventTypes(outRefundNo)).toEqual(['RefundRequested', 'RefundAccepted']);
      return refund!;
    });
  };
  /** The body WeChat would post, with some fields of the encrypted req_info changed. */
  const withInnerFields = (body: string, fields: Record<string, string>): string => {
    const { apiKey } = s.wechat.merchant;
    const outer = parseWechatXml(body);
    const plaintext = decryptReqInfo(decodeStrictBase64(outer['req_info']!)!, apiKey)!;
    const inner = parseWechatXml(plaintext, { root: 'root' });
    const reqInfo = encryptReqInfo(buildWechatXml({ ...inner, ...fields }, 'root'), apiKey);
    return buildWechatXml({ ...outer, req_info: reqInfo });
  };

  it('given a valid notification posted ten times at once, then every answer is SUCCESS and one RefundSucceeded is stored', async () => {
    const refund = await acceptedRefund('R1');
    const body = bodyFor(refund);

    const answers = await Promise.all(Array.from({ length: 10 }, () => notify(body)));

    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: success });
    expect((await eventTypes('R1')).filter((t) => t === 'RefundSucceeded')).toHaveLength(1);
  });

  it('given a duplicate the idempotency guard knows, then it is answered SUCCESS without touching the event store', async () => {
    const refund = await acceptedRefund('R1');
    expect((await notify(bodyFor(refund))).status).toBe(200);
    const head = await s.events.headPosition('refund');
    await eventually(async () => {
      for (const status of await s.projectionStatuses()) expect(status.position).toBe(head);
    });
    await s.events.close(); // any read or write of the log now fails

    expect(await notify(bodyFor(refund))).toMatchObject({ status: 200, body: success });
  });

  it.each([
    [
      'encrypted with another key',
      (r: SandboxRefund) => bodyFor(r, { apiKey: 'A'.repeat(32) }),
      400,
      'NOTIFY_DECRYPT_FAILED',
    ],
    [
      'from another merchant',
      (r: SandboxRefund) => bodyFor(r, { mchId: '1900000109' }),
      400,
      'NOTIFY_MERCHANT_MISMATCH',
    ],
    [
      'with truncated base64',
      (r: SandboxRefund) =>
        bodyFor(r).replace(/<req_info><!\[CDATA\[(.{10})[^\]]*/, '<req_info><![CDATA[$1%'),
      400,
      'NOTIFY_BAD_BASE64',
    ],
    ['that is not XML', () => 'hello, refund', 400, 'NOTIFY_MALFORMED_XML'],
    [
      'with a DOCTYPE',
      (r: SandboxRefund) => `<!DOCTYPE xml [<!ENTITY x "y">]>${bodyFor(r)}`,
      400,
      'NOTIFY_FORBIDDEN_DTD',
    ],
    ['that is empty', () => '', 400, undefined],
    // Well-formed, but fast-xml-parser throws a plain Error for these names and this depth.
    [
      'with a field named constructor',
      () => '<xml><constructor>x</constructor></xml>',
      400,
      'NOTIFY_MALFORMED_XML',
    ],
    ['with an empty field named prototype', () => '<prototype/>', 400, 'NOTIFY_MALFORMED_XML'],
    [
      'with a field named __proto__',
      () => '<xml><__proto__>x</__proto__></xml>',
      400,
      'NOTIFY_MALFORMED_XML',
    ],
    [
      'nested deeper than 100',
      () => `<xml>${'<a>'.repeat(101)}x${'</a>'.repeat(101)}</xml>`,
      400,
      'NOTIFY_MALFORMED_XML',
    ],
    ['over 64 KiB', () => `<xml>${'x'.repeat(70_000)}</xml>`, 413, undefined],
  ])(
    'given a notification %s, then a 4xx with a FAIL body and nothing changes',
    async (_case, make, status, code) => {
      const refund = await acceptedRefund('R1');
      const before = await eventTypes('R1');

      const answer = await notify(make(refund));

      expect(answer.status).toBe(status);
      expect(answer.type).toContain('xml');
      expect(answer.body).toContain('<return_code><![CDATA[FAIL]]></return_code>');
      if (code) expect(answer.body).toContain(code);
      expect(answer.body).not.toContain(s.wechat.merchant.apiKey);
      expect(await eventTypes('R1')).toEqual(before);
    },
  );

  it.each([
    ['out_refund_no', { outRefundNo: '../../x' }],
    ['out_trade_no', { outTradeNo: '=HYPERLINK("http://x.example","y")' }],
  ])(
    'given a notification of a refund made elsewhere with an %s outside DESIGN §3, then 400 FAIL and nothing is recorded',
    async (_, ids) => {
      const refund = await acceptedRefund('R1');
      const head = await s.events.headPosition('refund');

      const answer = await notify(bodyFor({ ...refund, outRefundNo: 'R2', ...ids }));

      expect(answer.status).toBe(400);
      expect(answer.body).toContain('NOTIFY_INVALID_CONTENT');
      expect(await s.events.headPosition('refund')).toBe(head);
    },
  );

  it('given a JSON body, then a 4xx FAIL, never a problem document', async () => {
    const answer = await notify('{"refund":"yes"}', 'application/json');

    expect(answer.status).toBe(400);
    expect(answer.body).toContain('FAIL');
  });

  it('given a REFUNDCLOSE notification for a SUCCEEDED refund, then 409 FAIL and the refund stays SUCCEEDED', async () => {
    const refund = await acceptedRefund('R1');
    expect((await notify(bodyFor(refund))).status).toBe(200);

    const answer = await notify(bodyFor({ ...refund, status: 'REFUNDCLOSE' }));

    expect(answer.status).toBe(409);
    expect(answer.body).toContain('REFUND_ALREADY_SUCCEEDED');
    expect(await eventTypes('R1')).toEqual([
      'RefundRequested',
      'RefundAccepted',
      'RefundSucceeded',
    ]);
  });

  it('given a SUCCESS whose settlement amount is 0 (a refund paid by coupon), then it is recorded and readable everywhere', async () => {
    const refund = await acceptedRefund('R1');

    const answer = await notify(withInnerFields(bodyFor(refund), { settlement_refund_fee: '0' }));

    expect(answer).toMatchObject({ status: 200, body: success });
    const read = await s.call('GET', '/v1/refunds/R1');
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ status: 'SUCCEEDED', settlementRefundFee: 0 });
    await eventually(async () => {
      const ready = await s.call('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, corruptStreams: [] });
    });
  });

  it.each([
    ['another refund_id', { refund_id: '50000000000000000000000000001' }, 'REFUND_ID_MISMATCH'],
    ['another amount', { refund_fee: '400' }, 'REFUND_AMOUNT_MISMATCH'],
  ])(
    'given a REFUNDCLOSE for an accepted refund naming %s, then 409 FAIL and nothing is written, as for a SUCCESS',
    async (_case, fields, code) => {
      const refund = await acceptedRefund('R1');
      const before = await eventTypes('R1');

      for (const status of ['REFUNDCLOSE', 'CHANGE', 'SUCCESS']) {
        const answer = await notify(
          withInnerFields(bodyFor(refund), { ...fields, refund_status: status }),
        );

        expect(answer.status).toBe(409);
        expect(answer.body).toContain('<return_code><![CDATA[FAIL]]></return_code>');
        expect(answer.body).toContain(code);
      }
      expect(await eventTypes('R1')).toEqual(before);
    },
  );

  describe('while the API key is rotated (WECHAT_API_KEY_PREVIOUS)', () => {
    const previous = 'b'.repeat(32);
    beforeEach(async () => {
      await s.stop();
      s = await startTestService({
        RECONCILE_AFTER_SECONDS: '3600',
        WECHAT_API_KEY_PREVIOUS: previous,
      });
    });
    const previousKeyCount = async () => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return Number(/^wechat_notifications_previous_key_total (\d+)$/m.exec(text)?.[1]);
    };

    it('given a notification encrypted with the previous key, then it settles the refund and is counted', async () => {
      const refund = await acceptedRefund('R1');
      expect(await previousKeyCount()).toBe(0);

      const answer = await notify(bodyFor(refund, { apiKey: previous }));

      expect(answer).toMatchObject({ status: 200, body: success });
      expect(await eventTypes('R1')).toEqual([
        'RefundRequested',
        'RefundAccepted',
        'RefundSucceeded',
      ]);
      expect(await previousKeyCount()).toBe(1);
    });

    it('given one encrypted with neither key, then 400 FAIL naming neither, and nothing changes', async () => {
      const refund = await acceptedRefund('R1');

      const answer = await notify(bodyFor(refund, { apiKey: 'A'.repeat(32) }));

      expect(answer.status).toBe(400);
      expect(answer.body).toContain('NOTIFY_DECRYPT_FAILED');
      expect(answer.body).not.toContain(previous);
      expect(await eventTypes('R1')).toEqual(['RefundRequested', 'RefundAccepted']);
      expect(await previousKeyCount()).toBe(0);
    });
  });

  it('given the event store is down, then 503 with a FAIL body so that WeChat delivers it again', async () => {
    const refund = await acceptedRefund('R1');
    await s.events.close();

    const answer = await notify(bodyFor(refund));

    expect(answer.status).toBe(503);
    expect(answer.body).toContain('FAIL');
  });
});

describe('POST /wechat/refund-notify, what it logs', () => {
  it('given XML the parser refuses, then a warning naming the code, not an error about storage', async () => {
    const logs = captureLogs();
    const app = Fastify({ loggerInstance: logs.logger });
    await app.register(
      refundNotifyRoute({
        decode: createRefundNotificationDecoder({
          appid: 'wx2421b1c4370ec43b',
          mchId: '10000100',
          apiKey: 'a'.repeat(32),
        }),
        handle: () => Promise.reject(new Error('a refused notification is never handled')),
      }),
    );
    try {
      const answer = await app.inject({
        method: 'POST',
        url: '/wechat/refund-notify',
        headers: { 'content-type': 'text/xml' },
        payload: '<xml><constructor>x</constructor></xml>',
      });

      expect(answer.statusCode).toBe(400);
      expect(answer.body).toContain('NOTIFY_MALFORMED_XML');
      const records = logs.records();
      expect(records).toContainEqual(
        expect.objectContaining({ level: logLevel.warn, code: 'NOTIFY_MALFORMED_XML' }),
      );
      expect(records.filter((record) => record.level >= logLevel.error)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
