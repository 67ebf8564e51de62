/** Fields RFC 4180 requires quoted: those holding a comma, a double quote, CR or LF. */
const needsQuotes = /[",\r\n]/;

/**
 * What a spreadsheet would take for a formula: a cell starting with `=`, `+`, `-`, `@`, tab or CR
 * (OWASP, "CSV Injection"). Reasons, WeChat's messages and even merchant numbers (`-` and `@` are
 * allowed in them) may start so.
 */
const formulaStart = /^[=+\-@\t\r]/;

/** The value as a spreadsheet shows it and never evaluates: a formula-like one gets a leading `'`. */
export const spreadsheetText = (text: string): string =>
  formulaStart.test(text) ? `'${text}` : text;

/**
 * One CSV field: neutralised if it would read as a formula, quoted when it must be, embedded
 * double quotes doubled; null is empty.
 */
export const csvField = (value: string | number | null): string => {
  if (value === null) return '';
  const text = spreadsheetText(String(value));
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One CSV record, CRLF-terminated as RFC 4180 has it. */
export const csvRecord = (values: readonly (string | number | null)[]): string =>
  `${values.map(csvField).join(',')}\r\n`;

/** The UTF-8 byte order mark: Excel needs it to read UTF-8 (Chinese text) rather than the ANSI code page. */
export const utf8Bom = '\ufeff';
