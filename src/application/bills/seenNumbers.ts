/**
 * cyrb53 (a public-domain 53-bit string hash): two 32-bit multiplicative hashes combined into a
 * number that is exact in a double.
 */
const hash53 = (text: string): number => {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
};

/**
 * The refund numbers a bill holds, in 8 bytes each instead of a string each: a million-row bill
 * keeps 8 MB here. A number is asked for only after the last one is added. Two numbers share a
 * hash with a chance of about n / 2^53 per question (1e-10 for a million rows): that is the
 * chance of a missingFromBill going unreported, accepted for bounded memory.
 */
export const createSeenNumbers = () => {
  let hashes = new Float64Array(1024);
  let size = 0;
  let sorted = false;
  return {
    add: (outRefundNo: string): void => {
      if (size === hashes.length) {
        const grown = new Float64Array(hashes.length * 2);
        grown.set(hashes);
        hashes = grown;
      }
      hashes[size++] = hash53(outRefundNo);
      sorted = false;
    },
    has: (outRefundNo: string): boolean => {
      if (!sorted) {
        hashes = hashes.slice(0, size).sort();
        sorted = true;
      }
      const wanted = hash53(outRefundNo);
      let low = 0;
      let high = size - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const value = hashes[middle] ?? 0;
        if (value === wanted) return true;
        if (value < wanted) low = middle + 1;
        else high = middle - 1;
      }
      return false;
    },
  };
};
