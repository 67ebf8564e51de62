/**
 * WeChat has no bill for the date yet (v2 "not generated", v3 STATEMENT_CREATING) or could not be
 * reached: nothing was reconciled; the daily run tries again later (DESIGN §5: 502).
 */
export class BillUnavailable extends Error {
  override readonly name = 'BillUnavailable';
  readonly code = 'BILL_UNAVAILABLE';
}

/**
 * The bill cannot be read as one (missing columns, a row that does not parse, a truncated file, a
 * failed SHA1 check): refused whole, nothing recorded. `line` points at the culprit when there is one.
 */
export class BillUnreadable extends Error {
  override readonly name = 'BillUnreadable';
  readonly code = 'BILL_UNREADABLE';

  constructor(
    detail: string,
    readonly line?: number,
  ) {
    super(line === undefined ? detail : `line ${line}: ${detail}`);
  }
}

/** A date no bill can be asked for: not a calendar date, or after today in China. */
export class BillDateRefused extends Error {
  override readonly name = 'BillDateRefused';
  readonly code = 'INVALID_BILL_DATE';
}
