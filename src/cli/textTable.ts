/** Terminal cells a character takes: CJK ideographs, Hangul and full-width forms take two. */
const wide =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export const displayWidth = (text: string): number => {
  let cells = 0;
  for (const char of text) cells += wide.test(char) ? 2 : 1;
  return cells;
};

/**
 * Rows as aligned columns, two spaces apart, indented by two; `right` names the columns to align
 * right (numbers). The last column is not padded.
 */
export const textTable = (rows: string[][], { right = [] }: { right?: number[] } = {}): string => {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  }
  return rows
    .map((row) => {
      const cells = row.map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - displayWidth(cell));
        if (right.includes(i)) return pad + cell;
        return i === row.length - 1 ? cell : cell + pad;
      });
      return `  ${cells.join('  ')}\n`;
    })
    .join('');
};
