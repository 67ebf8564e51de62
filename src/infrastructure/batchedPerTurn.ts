/**
 * Items handed over in one turn of the event loop, sent on together at its end: one message
 * between threads per turn rather than one per item.
 */
export const batchedPerTurn = <T>(send: (items: T[]) => void): ((item: T) => void) => {
  let waiting: T[] = [];
  const flush = () => {
    const items = waiting;
    waiting = [];
    send(items);
  };
  return (item) => {
    waiting.push(item);
    if (waiting.length === 1) setImmediate(flush);
  };
};
