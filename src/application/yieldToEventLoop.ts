/**
 * Resolves after the event loop has had a turn: I/O that is ready (requests waiting to be read
 * or answered) is handled before the caller goes on. Work that would otherwise run as one long chain
 * of promise continuations awaits it between slices, so no request waits for the whole of it.
 */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));

/**
 * Calls `step` for each item in turn, the event loop having a turn before every `slice` of them:
 * each item's synchronous part, and what its promises go on with at once, runs within its slice.
 */
export const inSlices = async <T>(
  items: readonly T[],
  slice: number,
  step: (item: T) => void | Promise<void>,
): Promise<void> => {
  for (const [index, item] of items.entries()) {
    if (index % slice === 0) await yieldToEventLoop();
    await step(item);
  }
};
