import stringWidth from 'string-width';

/**
 * Rows as aligned columns, two spaces apart, indented by two; `right` names the columns to align
 * right (numbers). The last column is not padded. Widths are terminal cells (string-width): CJK
 * text such as 支付用户零钱 takes two cells a character.
 */
export const textTable = (rows: string[][], { right = [] }: { right?: number[] } = {}): string => {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, stringWidth(cell))));
  }
  return rows
    .map((row) => {
      const cells = row.map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - stringWidth(cell));
        if (right.includes(i)) return pad + cell;
        return i === row.length - 1 ? cell : cell + pad;
      });
      return `  ${cells.join('  ')}\n`;
    })
    .join('');
};
