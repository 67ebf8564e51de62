import type { SandboxScenario } from './sandboxScenario.js';

export type SandboxRefundStatus = 'PROCESSING' | 'SUCCESS' | 'REFUNDCLOSE' | 'CHANGE';

/** One refund as the simulated WeChat keeps it. Amounts in fen, ids digit strings. */
export type SandboxRefund = {
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  totalFee: number;
  refundFee: number;
  refundId: string;
  status: SandboxRefundStatus;
  scenario: SandboxScenario;
  source: 'API' | 'VENDOR_PLATFORM';
  /** The API it came through, and so the notifications it gets (a v3 refund gets v3 JSON). */
  api: SandboxApi;
  /** The funds account asked for: v2's refund_account, or v3's funds_account. */
  fundsAccount?: string;
  notifyUrl?: string;
  /** When it was accepted, ISO 8601. */
  createdAt: string;
  /** China time `yyyy-MM-dd HH:mm:ss`, once SUCCESS. */
  successTime?: string;
};

export type SandboxApi = 'v2' | 'v3';

/** The calls the sandbox counts: refund requests (v2 secapi, v3 POST) and refund queries. */
export type SandboxOperation = 'refund' | 'query';

/** One operation's calls: all of them, those refused by the rate limit, and per out_refund_no. */
export type SandboxCallCount = {
  calls: number;
  rateLimited: number;
  byOutRefundNo: Record<string, number>;
};

/**
 * Whether a refund draws on the available (recharge) balance: v2's refund_account
 * REFUND_SOURCE_RECHARGE_FUNDS, v3's funds_account AVAILABLE; otherwise the unsettled balance.
 */
export const fromRechargeFunds = ({ fundsAccount }: { fundsAccount?: string }): boolean =>
  fundsAccount === 'REFUND_SOURCE_RECHARGE_FUNDS' || fundsAccount === 'AVAILABLE';

/** A refund's funds account as v2 reports it (refund_account). */
export const v2RefundAccountOf = (refund: { fundsAccount?: string }): string =>
  fromRechargeFunds(refund) ? 'REFUND_SOURCE_RECHARGE_FUNDS' : 'REFUND_SOURCE_UNSETTLED_FUNDS';

/** A refund as the sandbox lists it: with the secapi/pay/refund calls made for its out_refund_no. */
export type ListedSandboxRefund = SandboxRefund & {
  /** Every refund request naming it, refused ones included (a NOTENOUGH first try counts). */
  calls: number;
  /** Every refund query naming it by out_refund_no, refused ones included. */
  queries: number;
};
