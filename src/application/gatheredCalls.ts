/**
 * One call of `run` for the calls made in the same turn of the event loop (at most `most` at a
 * time): a reactor runner hands its effect a page of events one by one, and each handing would
 * otherwise cost its own store round trips. With `windowMs`, for the calls made within that
 * long of the first one instead (work that can wait a little, to share a transaction). `run`
 * answers the items in their order; when it throws, every call of its batch rejects with that
 * error (each caller retries as it would).
 */
export const gatheredCalls = <I, O>(
  run: (items: readonly I[]) => Promise<readonly O[]>,
  { most = 500, windowMs = 0 }: { most?: number; windowMs?: number } = {},
): ((item: I) => Promise<O>) => {
  type Call = { item: I; resolve: (answer: O) => void; reject: (error: unknown) => void };
  let waiting: Call[] = [];

  const answer = async (calls: readonly Call[]): Promise<void> => {
    try {
      const answers = await run(calls.map((call) => call.item));
      if (answers.length !== calls.length) throw new Error('gathered calls: one answer per item');
      calls.forEach((call, i) => call.resolve(answers[i] as O));
    } catch (error) {
      for (const call of calls) call.reject(error);
    }
  };

  const flush = (): void => {
    const calls = waiting;
    waiting = [];
    for (let from = 0; from < calls.length; from += most)
      void answer(calls.slice(from, from + most));
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length === 1) {
        if (windowMs > 0) setTimeout(flush, windowMs);
        else setImmediate(flush);
      }
    });
};
