/**
 * Waits until EventStoreDB answers a read of $all and MongoDB a ping (ESDB_CONNECTION_STRING,
 * MONGO_URL), for at most two minutes: what CI waits for before the gated suites.
 *
 *   node --import tsx e2e/waitForEngines.ts
 */
import { enginesFromEnv, say, waitForEngines } from './support/engines.js';

await waitForEngines(enginesFromEnv());
say('EventStoreDB and MongoDB answer reads');
