import { MongoClient } from 'mongodb';
import { errorMessage } from '../../application/errorMessage.js';
import { withoutSecrets } from '../stores/storeTarget.js';

const clientOptions = { appName: 'wechat-refund-service' };

/**
 * The client for a MongoDB URL (nothing connects yet). The driver's complaints about the URL are
 * reported only when they repeat none of its secrets (some quote the user name).
 */
export const connectMongo = (url: string): MongoClient => {
  try {
    return new MongoClient(url, clientOptions);
  } catch (error) {
    throw new Error(`not a valid MongoDB URL: ${withoutSecrets(errorMessage(error), url)}`);
  }
};

/** What is wrong with a MongoDB URL, none of its secrets repeated; empty when the driver takes it. */
export const mongoUrlProblems = (url: string): string[] => {
  try {
    connectMongo(url);
    return [];
  } catch (error) {
    return [errorMessage(error)];
  }
};
