/**
 * The funds a refund is drawn from (WECHAT.md "Limits", refund_account): the unsettled balance
 * (WeChat's default), or the available (recharge) balance, the way out of NOTENOUGH when
 * automatic withdrawal empties the unsettled one. v3 names the latter `funds_account: AVAILABLE`.
 */
export const refundAccounts = [
  'REFUND_SOURCE_UNSETTLED_FUNDS',
  'REFUND_SOURCE_RECHARGE_FUNDS',
] as const;

export type RefundAccount = (typeof refundAccounts)[number];
