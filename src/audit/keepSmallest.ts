/**
 * Keeps the `limit` smallest of the items added, by `compare`, in a max-heap (its root is the
 * kept item that would go last): a report can list the first of very many findings without its
 * memory growing with their number.
 */
export const keepSmallest = <T>(limit: number, compare: (a: T, b: T) => number) => {
  const kept: T[] = [];
  const after = (i: number, j: number) => compare(kept[i]!, kept[j]!) > 0;
  const swap = (i: number, j: number) => {
    [kept[i], kept[j]] = [kept[j]!, kept[i]!];
  };
  const siftUp = (start: number) => {
    for (let i = start; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!after(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const siftDown = () => {
    for (let i = 0; ;) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let largest = i;
      if (left < kept.length && after(left, largest)) largest = left;
      if (right < kept.length && after(right, largest)) largest = right;
      if (largest === i) return;
      swap(i, largest);
      i = largest;
    }
  };
  return {
    add: (item: T): void => {
      if (limit <= 0) return;
      if (kept.length < limit) {
        kept.push(item);
        siftUp(kept.length - 1);
      } else if (compare(item, kept[0]!) < 0) {
        kept[0] = item;
        siftDown();
      }
    },
    /** The kept items, smallest first. */
    sorted: (): T[] => [...kept].sort(compare),
    get size(): number {
      return kept.length;
    },
  };
};
