/*
 * WeChat Pay's bill file (BILLS.md §2): UTF-8, maybe with a BOM, CRLF or LF; a header line, rows
 * whose every value starts with a backquote (split on ",`"), a summary header and its row.
 * Shared by the parser and the sandbox, which writes bills in the current REFUND layout.
 */

/** The REFUND bill's detail header, current layout. */
export const refundBillColumns = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '退款申请时间',
  '退款成功时间',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const;

export const billSummaryColumns = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
] as const;

/** A header line: plain names, comma-separated. */
export const headerLine = (columns: readonly string[]): string => columns.join(',');

/** A row: every value behind a backquote. */
export const backquotedLine = (values: readonly string[]): string =>
  values.map((value) => `\`${value}`).join(',');

/** The values of a backquoted line, or undefined when the line is not one. */
export const valuesOf = (line: string): string[] | undefined =>
  line.startsWith('`') ? line.slice(1).split(',`') : undefined;

const yuanPattern = /^(\d{1,14})(?:\.(\d{1,2}))?$/;

/**
 * Yuan as WeChat writes them (`0.01`, `19.90`, `1234567.89`) in fen, from the digits: never
 * through a float (19.90 * 100 is 1989.9999999999998). Undefined for anything else.
 */
export const yuanToFen = (text: string): number | undefined => {
  const match = yuanPattern.exec(text);
  if (!match) return undefined;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : undefined;
};

/** Fen as yuan with two decimals, by integer arithmetic. */
export const fenToYuan = (fen: number): string =>
  `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
