import { describe, expect, it } from 'vitest';
import type { StoreHealth } from '../../../src/application/ports/storeHealth.js';
import { monitorStoreHealth } from '../../../src/infrastructure/stores/storeHealthMonitor.js';
import { eventually } from '../../support/eventually.js';

/** A log that keeps what it is told, by level. */
const memoryLog = () => {
  const lines: { level: string; message: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, message: string) => {
    lines.push({ level, message, fields });
  };
  return {
    lines,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    loud: () => lines.filter((line) => line.level !== 'debug'),
  };
};

describe('store health monitor', () => {
  it('given a store that is down, comes back and goes down again, then one line per change, none while nothing changes', async () => {
    // The store's answers, in order; the last one repeats.
    const script: StoreHealth[] = [
      { ok: false, reason: 'refused' },
      { ok: false, reason: 'refused' },
      { ok: false, reason: 'refused' },
      { ok: true },
      { ok: true },
      { ok: false, reason: 'timed out' },
    ];
    let checks = 0;
    const { log, loud } = memoryLog();
    const monitor = monitorStoreHealth({
      stores: [
        {
          name: 'eventStore',
          label: 'event store',
          target: 'esdb://h:2113',
          health: () => Promise.resolve(script[Math.min(checks++, script.length - 1)]!),
        },
      ],
      log,
      intervalMs: 1,
    });

    await eventually(() => expect(checks).toBeGreaterThan(script.length + 3));
    await monitor.stop();

    expect(loud().map((line) => [line.level, line.message])).toEqual([
      ['error', 'event store unreachable; /readyz answers 503 until it answers'],
      ['info', 'event store reachable again'],
      ['error', 'event store unreachable; /readyz answers 503 until it answers'],
    ]);
    expect(loud()[0]!.fields).toEqual({
      store: 'eventStore',
      target: 'esdb://h:2113',
      reason: 'refused',
    });
    expect(monitor.current().get('eventStore')).toEqual({ ok: false, reason: 'timed out' });
  });

  it('given a healthy store, then nothing is logged above debug and it is reported ok', async () => {
    const { log, loud } = memoryLog();
    const monitor = monitorStoreHealth({
      stores: [
        {
          name: 'readStore',
          label: 'read store',
          target: 'sqlite:x',
          health: () => Promise.resolve({ ok: true }),
        },
      ],
      log,
      intervalMs: 1,
    });

    await eventually(() => expect(monitor.current().get('readStore')).toEqual({ ok: true }));
    await monitor.stop();

    expect(loud()).toEqual([]);
  });

  it('given a health check that throws, then the store is down with the error as the reason', async () => {
    const { log } = memoryLog();
    const monitor = monitorStoreHealth({
      stores: [
        {
          name: 'readStore',
          label: 'read store',
          target: 'x',
          health: () => Promise.reject(new Error('bug')),
        },
      ],
      log,
      intervalMs: 1,
    });

    await eventually(() =>
      expect(monitor.current().get('readStore')).toEqual({ ok: false, reason: 'bug' }),
    );
    await monitor.stop();
  });
});
