// Runs the three projections over an existing log in small batches until killed:
// `projectWorker <dataDir> [<lastPosition>]`. With a last position, it sees the log only up to
// it, so that whenever it is killed it has not reached the head. Prints "started" once they run.
import type { EventStore } from '../../../src/application/ports/eventStore.js';
import { startProjection } from '../../../src/projections/startProjection.js';
import { openSqliteStores } from '../../support/fixtures.js';
import { eachProjection, projectionDeps } from './projectionFixture.js';

const [dataDir, lastPosition] = process.argv.slice(2);
const stores = openSqliteStores(dataDir!);
const last = lastPosition === undefined ? undefined : BigInt(lastPosition);
const events: EventStore =
  last === undefined
    ? stores.events
    : {
        ...stores.events,
        readCategory: async (category, options) =>
          (await stores.events.readCategory(category, options)).filter(
            (event) => event.position <= last,
          ),
      };
await eachProjection((projection) =>
  startProjection(projection, projectionDeps({ ...stores, events }, { batchSize: 20 })),
);
process.stdout.write('started\n');
