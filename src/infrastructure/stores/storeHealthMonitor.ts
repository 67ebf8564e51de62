import { createPauser } from '../../application/pauser.js';
import type { Log } from '../../application/ports/log.js';
import type { StoreHealth } from '../../application/ports/storeHealth.js';
import { errorMessage } from '../../application/errorMessage.js';

export type MonitoredStore = {
  /** The readiness check's name, e.g. eventStore. */
  name: string;
  /** What operators call it in a log line, e.g. "event store". */
  label: string;
  target: string;
  health: () => Promise<StoreHealth>;
};

const unchecked: StoreHealth = { ok: false, reason: 'not checked yet' };

/**
 * Checks the stores' health now and then, for readiness (which then answers at once, even while a
 * driver waits for a server) and for the log: one line when a store stops answering (at start
 * too), one when it answers again, nothing while nothing changes.
 */
export const monitorStoreHealth = ({
  stores,
  log,
  intervalMs,
}: {
  stores: readonly MonitoredStore[];
  log: Log;
  intervalMs: number;
}) => {
  const current = new Map<string, StoreHealth>(stores.map((store) => [store.name, unchecked]));
  const pauser = createPauser();
  let stopped = false;

  const check = async (store: MonitoredStore): Promise<void> => {
    const health = await store.health().catch((error: unknown): StoreHealth => ({
      ok: false,
      reason: errorMessage(error),
    }));
    const previous = current.get(store.name) ?? unchecked;
    current.set(store.name, health);
    const fields = { store: store.name, target: store.target };
    log.debug({ ...fields, ok: health.ok }, 'store health checked');
    if (!health.ok && (previous.ok || previous === unchecked)) {
      log.error(
        { ...fields, reason: health.reason },
        `${store.label} unreachable; /readyz answers 503 until it answers`,
      );
    } else if (health.ok && !previous.ok && previous !== unchecked) {
      log.info(fields, `${store.label} reachable again`);
    }
  };

  const loop = (async () => {
    while (!stopped) {
      await Promise.all(stores.map(check));
      await pauser.pause(intervalMs);
    }
  })();

  return {
    /** The last health seen of each store, by name ("not checked yet" before the first). */
    current: (): Map<string, StoreHealth> => new Map(current),
    stop: async (): Promise<void> => {
      stopped = true;
      pauser.stop();
      await loop;
    },
  };
};
