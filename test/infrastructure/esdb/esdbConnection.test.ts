import { stdSerializers } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  connectEsdb,
  esdbConnectionProblems,
} from '../../../src/infrastructure/esdb/esdbConnection.js';

const secret = 'pa/ss#wo?rd';

/** Everything pino's error serialiser would put in a log line for the error. */
const serialised = (error: unknown): string =>
  error instanceof Error ? JSON.stringify(stdSerializers.err(error)) : String(error);

const thrownBy = (work: () => unknown): unknown => {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
};

describe('the EventStoreDB connection string', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('given usable strings, then no problem and a client', async () => {
    for (const usable of [
      'esdb://localhost:2113?tls=false',
      `esdb://admin:${secret}@node1:2113,node2:2113?tls=true&nodePreference=follower`,
      'esdb+discover://admin:changeit@cluster.example:2113?keepAliveInterval=5000',
      'esdb://admin:p%3Ass%40@localhost:2113/?Throw-On-Append-Failure=true',
    ]) {
      expect(esdbConnectionProblems(usable), usable).toEqual([]);
      await connectEsdb(usable).dispose();
    }
  });

  it('given an option the client does not know, or tlsVerifyCert=false, then refused before the client prints the whole string to the console', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    for (const option of ['tsl=false', 'tlsVerifyCert=false']) {
      const error = thrownBy(() => connectEsdb(`esdb://admin:${secret}@es:2113?${option}`));
      expect(serialised(error)).not.toContain(secret);
      expect(serialised(error)).toMatch(/unknown option ..tsl|tlsCAFile/);
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('given throwOnAppendFailure=false, then refused: a refused append must never look like a success', () => {
    expect(
      esdbConnectionProblems(`esdb://admin:${secret}@es:2113?throwOnAppendFailure=false`),
    ).toEqual([expect.stringMatching(/^throwOnAppendFailure=false is not supported/)]);
  });

  it('given a string the client cannot parse, then the error carries none of it (the client’s ParseError carries it whole)', () => {
    for (const malformed of [
      `esdb://admin:${secret}@es:notaport`,
      `esdb://admin:${secret}@es:2113?tls=maybe`,
      `esdb://admin:${secret}@es:2113?nodePreference=${secret}`,
      `esdb://admin:pa@ss@es:2113`,
      `esdb://admin:pa:ss@es:2113`,
      `esdb://admin:%E0%A4%A@es:2113`,
      `esdbs://admin:${secret}@es:2113`,
    ]) {
      const error = thrownBy(() => connectEsdb(malformed));
      const logged = serialised(error);
      expect(logged, malformed).toMatch(/EventStoreDB connection string: /);
      for (const part of [secret, 'pa/ss', 'wo?rd', 'pa@ss', 'pa:ss', 'admin', '%E0']) {
        expect(logged, malformed).not.toContain(part);
      }
      expect(logged).not.toContain('connectionString');
    }
  });
});
