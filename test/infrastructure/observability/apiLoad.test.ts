import { afterEach, describe, expect, it } from 'vitest';
import { watchApiLoad, type ApiLoad } from '../../../src/infrastructure/observability/apiLoad.js';
import { eventually } from '../../support/eventually.js';

const windowMs = 50;

/** Keeps the event loop working in 10 ms slices until stopped; `answering` reports each slice. */
const workTheLoop = (answered?: (elapsedMs: number) => void) => {
  let working = true;
  const slice = () => {
    if (!working) return;
    const from = performance.now();
    while (performance.now() - from < 10);
    answered?.(performance.now() - from);
    setImmediate(slice);
  };
  slice();
  return () => {
    working = false;
  };
};

/** Whether `load` was ever busy at a look each window, over `windows` windows. */
const everBusy = async (load: ApiLoad, windows: number) => {
  let seen = false;
  for (let i = 0; i < windows; i++) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    seen ||= load.busy();
  }
  return seen;
};

describe('API load', () => {
  let load: ApiLoad;
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    load.stop();
  });

  it('given requests answered back to back while the event loop works on them, then the API is busy, and once they stop it is not', async () => {
    load = watchApiLoad({ windowMs });
    const stop = workTheLoop(load.answered);
    stops.push(stop);

    await eventually(() => expect(load.busy()).toBe(true));

    stop();
    await eventually(() => expect(load.busy()).toBe(false));
  });

  it('given the event loop working with no request being answered (a backlog of background work), then the API is not busy', async () => {
    load = watchApiLoad({ windowMs });
    stops.push(workTheLoop());

    expect(await everBusy(load, 6)).toBe(false);
  });

  it('given requests in flight all the time while the event loop is idle (they wait on I/O), then the API is not busy', async () => {
    load = watchApiLoad({ windowMs });
    const timer = setInterval(() => load.answered(10), 10);
    stops.push(() => clearInterval(timer));

    expect(await everBusy(load, 6)).toBe(false);
  });
});
