import {
  backquotedLine,
  billSummaryColumns,
  headerLine,
  refundBillColumns,
} from '../infrastructure/wechat/bills/billFormat.js';

/** What a REFUND bill row states, as written (amounts in yuan, times in China time). */
export type RefundRowText = {
  appid: string;
  mchId: string;
  transactionId: string;
  outTradeNo: string;
  outRefundNo: string;
  refundId: string;
  /** The payer's openid. */
  payer: string;
  product: string;
  applied: string;
  /** Empty unless SUCCESS. */
  succeeded: string;
  refund: string;
  order: string;
  status: string;
};

/**
 * A detail row in the current REFUND layout (BILLS.md §2): the columns a refund decides, the
 * others as WeChat fills them for a JSAPI payment.
 */
export const refundRowLine = (row: RefundRowText): string => {
  const values: Record<(typeof refundBillColumns)[number], string> = {
    交易时间: row.applied,
    公众账号ID: row.appid,
    商户号: row.mchId,
    特约商户号: '0',
    设备号: '',
    微信订单号: row.transactionId,
    商户订单号: row.outTradeNo,
    用户标识: row.payer,
    交易类型: 'JSAPI',
    交易状态: 'REFUND',
    付款银行: 'OTHERS',
    货币种类: 'CNY',
    应结订单金额: '0.00',
    代金券金额: '0.00',
    退款申请时间: row.applied,
    退款成功时间: row.succeeded,
    微信退款单号: row.refundId,
    商户退款单号: row.outRefundNo,
    退款金额: row.refund,
    充值券退款金额: '0.00',
    退款类型: 'ORIGINAL',
    退款状态: row.status,
    商品名称: row.product,
    商户数据包: '',
    手续费: '0.00000',
    费率: '0.60%',
    订单金额: row.order,
    申请退款金额: row.refund,
    费率备注: '',
  };
  return backquotedLine(refundBillColumns.map((column) => values[column]));
};

/** The summary header and row of a REFUND bill with these totals (yuan as written). */
export const billSummaryLines = (totals: {
  count: number;
  refunded: string;
  ordered: string;
  applied: string;
}): string[] => [
  headerLine(billSummaryColumns),
  backquotedLine([
    String(totals.count),
    '0.00',
    totals.refunded,
    '0.00',
    '0.00000',
    totals.ordered,
    totals.applied,
  ]),
];
