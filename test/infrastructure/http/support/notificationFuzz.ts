import fc from 'fast-check';
import { maxFen } from '../../../../src/domain/index.js';
import { chinaTimeOf } from '../../../../src/sandbox/sandboxLedger.js';
import type { SandboxRefund } from '../../../../src/sandbox/sandboxRefund.js';
import { nastyText, type FuzzedService } from './httpFuzz.js';

/** The terms a notification reports: a refund of ours, or one made on the merchant platform. */
export type NotifiedTerms = {
  outRefundNo: string;
  outTradeNo: string;
  totalFee: number;
  refundFee: number;
};

const merchantNoPattern = /^[0-9A-Za-z_\-|*@]+$/;

/**
 * A merchant number no earlier case used: a refund made on the merchant platform is of an order
 * of its own, so the orders in the log stay consistent (one total, refunded within it) whatever
 * the fuzzer sends. Inconsistent totals from WeChat itself are the audit's to report.
 */
export const freshMerchantNo = fc.stringMatching(/^N[0-9A-Za-z]{15}$/);

/** Text that is no merchant number of DESIGN §3: never a refund that could be fetched. */
export const notMerchantNo = (max: number): fc.Arbitrary<string> =>
  nastyText().filter((text) => text.length > max || !merchantNoPattern.test(text));

/** Amounts as text WeChat never sends: signs, fractions, zero-padding, out of 32 bits, words. */
export const randomAmountText = fc.oneof(
  nastyText(),
  fc.constantFrom('0', '-1', '1.5', '2147483648', '9007199254740993', ' 100', '0100', '1e3', '٣'),
);

export const refundIdText = fc.stringMatching(/^50\d{27}$/);

/** A China time as WeChat writes it: `yyyy-MM-dd HH:mm:ss`. */
export const chinaTime = fc
  .date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2030-01-01T00:00:00Z'),
    noInvalidDate: true,
  })
  .map(chinaTimeOf);

/**
 * Three refunds requested through the API, as the sandbox would describe them to WeChat's
 * notifier: the real notifications the fuzzer mutates, and ids its random ones reuse.
 */
export const knownRefunds = async (s: FuzzedService): Promise<SandboxRefund[]> => {
  const refunds: SandboxRefund[] = [];
  for (const [index, totalFee] of [500, 3960, 100].entries()) {
    const terms = { outTradeNo: `T${index + 1}`, outRefundNo: `R${index + 1}`, totalFee };
    await s.send({ method: 'POST', url: '/v1/refunds', payload: terms });
    refunds.push({
      ...terms,
      refundFee: totalFee,
      transactionId: `42000000002026112800000000${index + 1}`,
      refundId: `5000000000202611280000000000${index + 1}`,
      status: 'SUCCESS',
      scenario: 'SUCCESS',
      source: 'API',
      api: 'v2',
      createdAt: new Date().toISOString(),
      successTime: chinaTimeOf(new Date()),
    });
  }
  return refunds;
};

/** The terms of a known refund, or of a refund made on the merchant platform for a new order. */
export const notifiedTerms = (known: readonly SandboxRefund[]): fc.Arbitrary<NotifiedTerms> =>
  fc.oneof(
    fc.constantFrom(...known).map(({ outRefundNo, outTradeNo, totalFee, refundFee }) => ({
      outRefundNo,
      outTradeNo,
      totalFee,
      refundFee,
    })),
    fc
      .tuple(freshMerchantNo, freshMerchantNo, fc.integer({ min: 1, max: maxFen }), fc.double())
      .map(([outRefundNo, outTradeNo, totalFee, share]) => ({
        outRefundNo,
        outTradeNo,
        totalFee,
        refundFee: Math.max(1, Math.floor(totalFee * Math.abs(share % 1))),
      })),
  );

/** A change to a text: one character replaced, a range deleted or repeated, text inserted, or cut. */
export type TextMutation =
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'cut'; at: number };

export const textMutation = (): fc.Arbitrary<TextMutation> => {
  const at = fc.nat();
  const length = fc.integer({ min: 1, max: 64 });
  return fc.oneof(
    fc.record({
      kind: fc.constant('replace' as const),
      at,
      text: fc.string({ minLength: 1, maxLength: 1 }),
    }),
    fc.record({ kind: fc.constant('delete' as const), at, length }),
    fc.record({ kind: fc.constant('repeat' as const), at, length }),
    fc.record({ kind: fc.constant('insert' as const), at, text: nastyText() }),
    fc.record({ kind: fc.constant('cut' as const), at }),
  );
};

export const mutate = (text: string, mutation: TextMutation): string => {
  const at = text.length === 0 ? 0 : mutation.at % text.length;
  switch (mutation.kind) {
    case 'replace':
      return `${text.slice(0, at)}${mutation.text}${text.slice(at + 1)}`;
    case 'delete':
      return `${text.slice(0, at)}${text.slice(at + mutation.length)}`;
    case 'repeat':
      return `${text.slice(0, at + mutation.length)}${text.slice(at)}`;
    case 'insert':
      return `${text.slice(0, at)}${mutation.text}${text.slice(at)}`;
    case 'cut':
      return text.slice(0, at);
  }
};
