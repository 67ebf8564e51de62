import {
  headerLine,
  refundBillColumns,
} from '../../../../src/infrastructure/wechat/bills/billFormat.js';
import { billSummaryLines, refundRowLine } from '../../../../src/sandbox/refundBillLines.js';

/** The ALL-type header and the real row of wechatpay-axios-plugin's bill.ALL.csv (BILLS.md §2). */
export const allTypeHeader =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
export const allTypeRow =
  '`2019-02-19 05:01:46,`wxab8acd895ab1638a,`1921000401,`0,`harryma007,`4200000263201902167700134212,`autotest_20190216081946_82335,`oHkLxtx0vUqe-18p_AXTZ1innxkCY,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50000709672019011908420787722,`REF4200000263201902167700963919,`0.01,`0.00,`ORIGINAL,`SUCCESS,`系统拨测-cheeryin-test_micropay_succ,`,`0.00000,`39.00%,`0.00,`0.01,`';

export type RefundRowValues = {
  outRefundNo: string;
  outTradeNo?: string;
  transactionId?: string;
  refundId?: string;
  /** Yuan as written, e.g. 19.90. */
  refund: string;
  order?: string;
  status?: string;
  applied?: string;
  succeeded?: string;
};

/** A row of the current REFUND layout. */
export const refundRow = (row: RefundRowValues): string => {
  const applied = row.applied ?? '2026-11-28 10:15:00';
  return refundRowLine({
    appid: 'wxd930ea5d5a258f4f',
    mchId: '1900000109',
    transactionId: row.transactionId ?? '4200000263201902167700134212',
    outTradeNo: row.outTradeNo ?? `T-${row.outRefundNo}`,
    outRefundNo: row.outRefundNo,
    refundId: row.refundId ?? '50000709672019011908420787722',
    payer: 'oHkLxtx0vUqe-18p_AXTZ1innxkCY',
    product: '测试商品,含逗号',
    applied,
    succeeded: row.succeeded ?? ((row.status ?? 'SUCCESS') === 'SUCCESS' ? applied : ''),
    refund: row.refund,
    order: row.order ?? row.refund,
    status: row.status ?? 'SUCCESS',
  });
};

/** The summary header and row with these totals (yuan as written). */
export const summaryLines = (count: number, refunded: string, applied = refunded): string[] =>
  billSummaryLines({ count, refunded, ordered: '0.00', applied });

/** A whole REFUND bill, current layout: BOM and CRLF unless told otherwise. */
export const refundBill = (
  rows: string[],
  summary: string[],
  { bom = true, eol = '\r\n' }: { bom?: boolean; eol?: string } = {},
): string =>
  `${bom ? '\uFEFF' : ''}${[headerLine(refundBillColumns), ...rows, ...summary].join(eol)}${eol}`;
