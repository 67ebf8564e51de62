/**
 * Orders strings by code point, as SQLite (BINARY) and MongoDB compare them, byte by byte in
 * UTF-8. JavaScript's `<` compares UTF-16 units instead, which puts a character above U+FFFF (a
 * surrogate pair, D800–DFFF) before one in U+E000–U+FFFF.
 */
export const compareCodePoints = (a: string, b: string): number => {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const xSurrogate = x <= 0xdfff;
      if (xSurrogate !== y <= 0xdfff) return xSurrogate ? 1 : -1;
    }
    return x - y;
  }
  return a.length - b.length;
};
