import { documentCheckpoints } from '../../application/documentCheckpoints.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { Log } from '../../application/ports/log.js';
import type { Reactor, RunningReactor } from '../../application/reactor.js';
import { startReactor } from '../../application/startReactor.js';
import { startEsdbReactor } from '../esdb/esdbReactor.js';
import type { Stores } from './openStores.js';

export type RunReactor = <W>(reactor: Reactor<W>) => RunningReactor;

/**
 * Where the reactors run, by the log the stores hold: on EventStoreDB, each on a persistent
 * subscription whose events the server shares among every instance; on the embedded log, in this
 * one process from a checkpoint in the read store, following `follow` (the log, or the same log
 * read through a cache).
 */
export const reactorRunner = (
  { events, documents, esdbClient }: Stores,
  { follow = events, log, random }: { follow?: EventStore; log: Log; random: () => number },
): RunReactor => {
  if (esdbClient)
    return (reactor) => startEsdbReactor(reactor, { client: esdbClient, log, random });
  return (reactor) =>
    startReactor(reactor, { events: follow, checkpoints: documentCheckpoints(documents), log });
};
