import { connectEsdb } from '../esdb/esdbConnection.js';
import { connectMongo } from '../mongo/mongoConnection.js';
import { storeTarget } from './storeTarget.js';

/** A networked store's client, and where it is for messages (never with credentials). */
export const esdbEndpoint = (connectionString: string) => ({
  client: connectEsdb(connectionString),
  target: storeTarget(connectionString),
});

export const mongoEndpoint = ({ url, db }: { url: string; db: string }) => ({
  client: connectMongo(url),
  dbName: db,
  target: storeTarget(url),
});
