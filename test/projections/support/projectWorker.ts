// Runs the three projections over an existing log in small batches until killed:
// `projectWorker <dataDir>`. Prints "started" once they run.
import { startProjection } from '../../../src/projections/startProjection.js';
import { eachProjection, openStores, projectionDeps } from './projectionFixture.js';

const [dataDir] = process.argv.slice(2);
const stores = openStores(dataDir!);
await eachProjection((projection) =>
  startProjection(projection, projectionDeps(stores, { batchSize: 20 })),
);
process.stdout.write('started\n');
