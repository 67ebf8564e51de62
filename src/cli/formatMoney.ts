const grouped = (n: number): string => n.toLocaleString('en-US');

/** An amount in fen as CNY with two decimals, by integer arithmetic (never fen / 100 in floating point). */
export const formatYuan = (fen: number): string => {
  const cents = fen % 100;
  return `${grouped((fen - cents) / 100)}.${String(Math.abs(cents)).padStart(2, '0')}`;
};

export const formatCount = grouped;
