import { z } from 'zod';
import { esdbConnectionProblems } from '../esdb/esdbConnection.js';
import { mongoUrlProblems } from '../mongo/mongoConnection.js';

export type StoreConfig = {
  eventStore: { kind: 'sqlite' } | { kind: 'esdb'; connectionString: string };
  readStore: { kind: 'sqlite' } | { kind: 'mongo'; url: string; db: string };
};

/** Where the log and the read models are (DESIGN §4): the embedded SQLite, or the servers. */
export const storeVariables = z.object({
  EVENT_STORE: z.enum(['sqlite', 'esdb']).default('sqlite'),
  ESDB_CONNECTION_STRING: z
    .string()
    .regex(/^esdb(\+discover)?:\/\//, 'must start with esdb:// or esdb+discover://')
    .optional(),
  READ_STORE: z.enum(['sqlite', 'mongo']).default('sqlite'),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  MONGO_DB: z.string().default('refunds'),
});

/** The stores, and into problems what a server store lacks or its connection string gets wrong. */
export const storeConfig = (v: z.infer<typeof storeVariables>, problems: string[]): StoreConfig => {
  if (v.EVENT_STORE === 'esdb') {
    if (!v.ESDB_CONNECTION_STRING) {
      problems.push('ESDB_CONNECTION_STRING: required when EVENT_STORE is esdb');
    } else {
      for (const problem of esdbConnectionProblems(v.ESDB_CONNECTION_STRING)) {
        problems.push(`ESDB_CONNECTION_STRING: ${problem}`);
      }
    }
  }
  if (v.READ_STORE === 'mongo') {
    if (!v.MONGO_URL) problems.push('MONGO_URL: required when READ_STORE is mongo');
    else
      for (const problem of mongoUrlProblems(v.MONGO_URL)) problems.push(`MONGO_URL: ${problem}`);
  }
  return {
    eventStore:
      v.EVENT_STORE === 'esdb' && v.ESDB_CONNECTION_STRING
        ? { kind: 'esdb', connectionString: v.ESDB_CONNECTION_STRING }
        : { kind: 'sqlite' },
    readStore:
      v.READ_STORE === 'mongo' && v.MONGO_URL
        ? { kind: 'mongo', url: v.MONGO_URL, db: v.MONGO_DB }
        : { kind: 'sqlite' },
  };
};
