import { z } from 'zod';
import { refundAccounts, type RefundAccount } from '../../domain/index.js';
import { delaySchedule, integer } from './variableTypes.js';

export type MoneyConfig = {
  wechatMaxRps: number;
  gatewayRetryBaseMs: number;
  reconcileAfterSeconds: number;
  reconcileIntervalSeconds: number;
  /** WECHAT_REFUND_ACCOUNT: the funds account of refunds that name none; unset: WeChat's default. */
  refundAccount?: RefundAccount;
  /** NOTENOUGH_RETRY_SECONDS: the delays of the automatic retries in ms; empty: off. */
  notEnoughRetryMs: number[];
  /** ORDER_REFUND_SPACING_SECONDS: refunds of one order are sent at least this far apart. */
  orderRefundSpacingSeconds: number;
  /**
   * BILL_RECONCILE_TIME as minutes after midnight, China time: when yesterday's refund bill is
   * reconciled each day. Undefined: the daily run is off.
   */
  billReconcileMinutes: number | undefined;
};

// v3 calls the recharge funds AVAILABLE (WECHAT-V3.md §1); either name is taken.
const refundAccountVariable = z
  .enum([...refundAccounts, 'AVAILABLE'], { error: `must be ${refundAccounts.join(' or ')}` })
  .transform((account): RefundAccount =>
    account === 'AVAILABLE' ? 'REFUND_SOURCE_RECHARGE_FUNDS' : account,
  );

/** How refunds are sent to WeChat, retried and reconciled, and from which funds. */
export const moneyVariables = z.object({
  WECHAT_MAX_RPS: integer(0).default(100),
  GATEWAY_RETRY_BASE_MS: integer(1).default(1000),
  RECONCILE_AFTER_SECONDS: integer(1).default(600),
  RECONCILE_INTERVAL_SECONDS: integer(1).default(60),
  WECHAT_REFUND_ACCOUNT: refundAccountVariable.optional(),
  NOTENOUGH_RETRY_SECONDS: delaySchedule('600,3600,21600').optional(),
  ORDER_REFUND_SPACING_SECONDS: integer(0, 86_400).default(60),
});

/** When the refund bill is reconciled each day (BILLS.md). */
export const billVariables = z.object({
  BILL_RECONCILE_TIME: z
    .string()
    .default('10:30')
    .pipe(
      z
        .string()
        .regex(
          /^(([01]\d|2[0-3]):[0-5]\d|off)$/,
          'must be a time HH:MM (China time), or empty for off',
        )
        .transform((text) =>
          text === 'off' ? undefined : Number(text.slice(0, 2)) * 60 + Number(text.slice(3)),
        ),
    ),
});

export const moneyConfig = (
  v: z.infer<typeof moneyVariables> & z.infer<typeof billVariables>,
): MoneyConfig => ({
  wechatMaxRps: v.WECHAT_MAX_RPS,
  gatewayRetryBaseMs: v.GATEWAY_RETRY_BASE_MS,
  reconcileAfterSeconds: v.RECONCILE_AFTER_SECONDS,
  reconcileIntervalSeconds: v.RECONCILE_INTERVAL_SECONDS,
  ...(v.WECHAT_REFUND_ACCOUNT !== undefined && { refundAccount: v.WECHAT_REFUND_ACCOUNT }),
  notEnoughRetryMs: v.NOTENOUGH_RETRY_SECONDS ?? [],
  orderRefundSpacingSeconds: v.ORDER_REFUND_SPACING_SECONDS,
  billReconcileMinutes: v.BILL_RECONCILE_TIME,
});
