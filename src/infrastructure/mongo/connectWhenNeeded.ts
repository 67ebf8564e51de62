import type { MongoClient } from 'mongodb';

/**
 * Connects the client on first use, and again on the next use after a failed attempt. The driver
 * connects by itself on the first operation, but when that first connection fails it keeps the
 * closed topology and every later operation fails with "Topology is closed", even once the server
 * is up. After one successful connection the driver's own monitoring takes over: it reconnects
 * after outages and elections without help.
 */
export const connectWhenNeeded = (client: MongoClient): (() => Promise<MongoClient>) => {
  let connecting: Promise<MongoClient> | undefined;
  return () => {
    connecting ??= client.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };
};
