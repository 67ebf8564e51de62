import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  documentCheckpoints,
  type Checkpoints,
} from '../../src/application/documentCheckpoints.js';
import type { Reactor, ReactorOutcome, RunningReactor } from '../../src/application/reactor.js';
import { startReactor } from '../../src/application/startReactor.js';
import { eventually } from '../support/eventually.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const done: ReactorOutcome = { kind: 'done' };
const notYet: ReactorOutcome = { kind: 'retry', reason: 'the world said not yet' };

/**
 * A reactor of numbered work: event n of stream refund-E<n> calls for work n (an event without a
 * number cannot be read). Each try is recorded; `effect` says what a try of work n comes to.
 */
const numbered = (
  effect: (n: number, retryCount: number) => Promise<ReactorOutcome>,
  retryDelay: Reactor<number>['retryDelay'] = () => 5,
) => {
  const tries: { n: number; retryCount: number }[] = [];
  const reactor: Reactor<number> = {
    name: 'test',
    decide: (recorded) => {
      const n = recorded.data['n'];
      if (typeof n !== 'number') throw new Error(`event ${recorded.id} has no number`);
      return n;
    },
    act: (n, { retryCount }) => {
      tries.push({ n, retryCount });
      return effect(n, retryCount);
    },
    retryDelay,
  };
  const acted = (n: number) => tries.filter((t) => t.n === n).length;
  return { reactor, tries, acted };
};

/** A promise and the function that resolves it. */
const gate = () => {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
};

describe('a reactor running from a durable checkpoint', () => {
  const stores = sqliteStoresPerTest();
  let checkpoints: Checkpoints;
  const running: RunningReactor[] = [];
  beforeEach(() => {
    checkpoints = documentCheckpoints(stores.documents);
  });
  // After-hooks run in reverse order of registration: the reactors stop before the stores close.
  afterEach(async () => {
    for (const reactor of running.splice(0)) await reactor.stop();
  });

  /** Appends one event per value (a number, or undefined for an unreadable event); positions. */
  const append = async (...values: (number | undefined)[]): Promise<bigint[]> => {
    const positions = [];
    for (const n of values) {
      const data = n === undefined ? {} : { n };
      const stream = `refund-E${n ?? randomUUID()}`;
      const result = await stores.events.append(
        stream,
        [{ id: randomUUID(), type: 'Test', data, metadata: {} }],
        'no_stream',
      );
      if (!result.ok) throw new Error(`could not append to ${stream}`);
      positions.push(result.position);
    }
    return positions;
  };

  const start = (reactor: Reactor<number>, concurrency?: number): RunningReactor => {
    const started = startReactor(reactor, {
      events: stores.events,
      checkpoints,
      log: pino({ level: 'silent' }),
      pollIntervalMs: 20,
      ...(concurrency !== undefined && { concurrency }),
    });
    running.push(started);
    return started;
  };

  const checkpoint = () => checkpoints.load('test_reactor');

  it('given events, when it runs, then each one is acted on once and the checkpoint passes the last', async () => {
    const positions = await append(1, 2, 3);
    const { reactor, tries } = numbered(() => Promise.resolve(done));

    start(reactor);

    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    expect(tries.map((t) => t.n).sort()).toEqual([1, 2, 3]);
  });

  it('given work that is not done yet, then it is tried again on its schedule without holding up later work, and the checkpoint waits for it', async () => {
    const positions = await append(1, 2, 3);
    let worldReady = false;
    const delays: number[] = [];
    const { reactor, acted, tries } = numbered(
      (n) => Promise.resolve(n === 1 && !worldReady ? notYet : done),
      (retryCount) => {
        delays.push(retryCount);
        return 5;
      },
    );

    start(reactor);

    await eventually(() => {
      expect(acted(2) + acted(3)).toBe(2);
      expect(acted(1)).toBeGreaterThanOrEqual(3);
    });
    expect(await checkpoint()).toBeUndefined();
    worldReady = true;
    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    const triesOfOne = tries.filter((t) => t.n === 1).map((t) => t.retryCount);
    expect(triesOfOne).toEqual(triesOfOne.map((_, index) => index));
    expect(delays.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('given a schedule that gives up, when the last try fails, then the work counts as done and the checkpoint moves on', async () => {
    const positions = await append(1, 2);
    const { reactor, acted } = numbered(
      (n) => Promise.resolve(n === 1 ? notYet : done),
      (retryCount) => (retryCount < 2 ? 5 : undefined),
    );

    start(reactor);

    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    expect(acted(1)).toBe(3);
  });

  it('given an effect that throws, then the try counts as failed and is tried again', async () => {
    const positions = await append(1);
    const { reactor, tries } = numbered((_n, retryCount) =>
      retryCount === 0 ? Promise.reject(new Error('connection reset')) : Promise.resolve(done),
    );

    start(reactor);

    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    expect(tries).toEqual([
      { n: 1, retryCount: 0 },
      { n: 1, retryCount: 1 },
    ]);
  });

  it('given an event the decision cannot read, then it is skipped and the others are acted on', async () => {
    const positions = await append(1, undefined, 2);
    const { reactor, tries } = numbered(() => Promise.resolve(done));

    start(reactor);

    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    expect(tries.map((t) => t.n).sort()).toEqual([1, 2]);
  });

  it('given it stopped while work waited for a retry, when started again, then it resumes at the checkpoint: the unfinished work and what followed are acted on again, the finished work before is not', async () => {
    const positions = await append(1, 2, 3);
    const first = numbered(
      (n) => Promise.resolve(n === 2 ? notYet : done),
      () => 60_000,
    );
    const stopped = start(first.reactor);
    await eventually(() => expect(first.tries.map((t) => t.n).sort()).toEqual([1, 2, 3]));

    await stopped.stop();
    expect(await checkpoint()).toBe(positions[0]);

    const second = numbered(() => Promise.resolve(done));
    start(second.reactor);
    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    expect(second.tries.map((t) => t.n).sort()).toEqual([2, 3]);
  });

  it('given work not due yet, then it holds no slot while it waits: later work is done, the checkpoint waits for it, and it is acted on again when due, without counting a failure', async () => {
    const positions = await append(1, 2, 3, 4, 5);
    const due = gate();
    let isDue = false;
    void due.opened.then(() => (isDue = true));
    const { reactor, tries, acted } = numbered((n) =>
      Promise.resolve(n <= 2 && !isDue ? { kind: 'later', delayMs: 50 } : done),
    );

    const started = start(reactor, 2);

    await eventually(() => expect([3, 4, 5].map(acted)).toEqual([1, 1, 1]));
    expect(await checkpoint()).toBeUndefined();
    expect(started.pending()).toBe(2);
    due.open();
    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    expect(tries.filter((t) => t.n <= 2).every((t) => t.retryCount === 0)).toBe(true);
    expect(acted(1)).toBeGreaterThanOrEqual(2);
  });

  it('given more work than its concurrency, then no more than that is in flight at once, and all of it is done', async () => {
    const positions = await append(1, 2, 3, 4, 5);
    const release = gate();
    let inFlight = 0;
    let most = 0;
    const { reactor, tries } = numbered(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await release.opened;
      inFlight -= 1;
      return done;
    });

    const started = start(reactor, 2);

    await eventually(() => expect(tries).toHaveLength(2));
    expect(started.pending()).toBe(2);
    release.open();
    await eventually(async () => expect(await checkpoint()).toBe(positions.at(-1)));
    expect(tries.map((t) => t.n).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(started.pending()).toBe(0);
  });
  it('given a page of work starting together (a restart), when it starts, then the event loop has turns in between, not once the whole page has started', async () => {
    await append(...Array.from({ length: 64 }, (_, i) => i + 1));
    let startedWhenLoopTurned: number | undefined;
    const { reactor, tries } = numbered(() => {
      // Scheduled by the first try: runs at the event loop's next turn.
      if (tries.length === 1) setImmediate(() => (startedWhenLoopTurned = tries.length));
      return Promise.resolve(done);
    });

    start(reactor);

    await eventually(() => expect(tries).toHaveLength(64));
    expect(startedWhenLoopTurned).toBeGreaterThanOrEqual(1);
    expect(startedWhenLoopTurned).toBeLessThan(64);
  });
});
