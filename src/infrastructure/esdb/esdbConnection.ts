import { EventStoreDBClient } from '@eventstore/db-client';
import { errorMessage } from '../../application/errorMessage.js';
import { withoutSecrets } from '../stores/storeTarget.js';

type OptionKind = 'boolean' | 'integer' | 'text' | 'nodePreference';

// The options @eventstore/db-client 6 reads from a connection string, by its own spelling.
const knownOptions: Record<string, OptionKind> = {
  userCertFile: 'text',
  userKeyFile: 'text',
  maxDiscoverAttempts: 'integer',
  connectionName: 'text',
  defaultDeadline: 'integer',
  discoveryInterval: 'integer',
  gossipTimeout: 'integer',
  nodePreference: 'nodePreference',
  tls: 'boolean',
  tlsVerifyCert: 'boolean',
  tlsCAFile: 'text',
  throwOnAppendFailure: 'boolean',
  keepAliveInterval: 'integer',
  keepAliveTimeout: 'integer',
};

/** The client matches option names ignoring case, `-` and `_`. */
const flat = (name: string): string => name.trim().toLowerCase().replace(/[_-]/g, '');
const optionByFlatName = new Map(
  Object.entries(knownOptions).map(([name, kind]) => [flat(name), { name, kind }]),
);
const nodePreferences = ['leader', 'follower', 'readonlyreplica', 'random'];
const host = /^[^$+!?*'(),;[\]{}|"%~#<>=&@:/\s]+(?::\d{1,5})?$/;

const problemsOfCredentials = (credentials: string): string[] => {
  const colon = credentials.indexOf(':');
  if (colon <= 0) return ['the credentials before "@" must be user:password'];
  try {
    decodeURIComponent(credentials);
  } catch {
    return ['the credentials have a "%" that is not percent-encoding'];
  }
  // The client splits them at every ":" and keeps the first two parts.
  return credentials.indexOf(':', colon + 1) === -1
    ? []
    : ['the password has a ":", which the client would cut it at: write it as %3A'];
};

const problemOfOption = (pair: string): string | undefined => {
  const match = /^([^=]+)=([^&?]+)$/.exec(pair);
  if (!match?.[1] || !match[2]) return 'options must be written ?key=value&key=value';
  const option = optionByFlatName.get(flat(match[1]));
  // Only a plain word is repeated: anything else may be a misplaced secret.
  const shown = /^[A-Za-z][\w-]{0,40}$/.test(match[1]) ? `"${match[1]}"` : 'an option';
  if (!option) return `unknown option ${shown}`;
  const value = match[2].trim();
  switch (option.kind) {
    case 'boolean':
      if (value !== 'true' && value !== 'false') return `${option.name} must be true or false`;
      if (value === 'false' && option.name === 'throwOnAppendFailure') {
        return 'throwOnAppendFailure=false is not supported: the adapter relies on refused appends being errors';
      }
      if (value === 'false' && option.name === 'tlsVerifyCert') {
        return 'tlsVerifyCert=false has no effect in this client: give tlsCAFile instead';
      }
      return undefined;
    case 'integer':
      return /^-?\d+$/.test(value) ? undefined : `${option.name} must be a whole number`;
    case 'nodePreference':
      return nodePreferences.includes(flat(value))
        ? undefined
        : `nodePreference must be leader, follower, readOnlyReplica or random`;
    case 'text':
      return undefined;
  }
};

/**
 * What is wrong with an EventStoreDB connection string, none of it repeated (it may hold
 * credentials); empty when the client can take it. Checked before the client sees the string,
 * because for an unknown option, or tlsVerifyCert=false, the client prints the whole string to
 * the console, and its parse errors carry the string with them.
 */
export const esdbConnectionProblems = (connectionString: string): string[] => {
  const text = connectionString.trim().replace(/\/+$/, '');
  const scheme = /^esdb(\+discover)?:\/\//.exec(text);
  if (!scheme) return ['must start with esdb:// or esdb+discover://'];
  let rest = text.slice(scheme[0].length);
  const problems: string[] = [];
  // The client's reading: credentials are everything up to the first "@" after a ":".
  const credentials = /^([^:]+:[^@]+)@/.exec(rest)?.[1];
  if (credentials !== undefined) {
    problems.push(...problemsOfCredentials(credentials));
    rest = rest.slice(credentials.length + 1);
  }
  const question = rest.indexOf('?');
  const hosts = (question === -1 ? rest : rest.slice(0, question)).replace(/\/$/, '');
  if (hosts.includes('@')) {
    problems.push('the credentials before "@" must be user:password, with "@" written as %40');
  } else if (hosts === '' || !hosts.split(',').every((one) => host.test(one))) {
    problems.push('the hosts must be host[:port], separated by commas');
  }
  if (question !== -1) {
    for (const pair of rest.slice(question + 1).split('&')) {
      const problem = problemOfOption(pair);
      if (problem) problems.push(problem);
    }
  }
  return problems;
};

export class EsdbConnectionStringError extends Error {
  override readonly name = 'EsdbConnectionStringError';
}

/**
 * The client for a connection string, which esdbConnectionProblems must accept. Whatever the
 * client still refuses is reported without the string and without the client's own error (its
 * message and properties would show the string).
 */
export const connectEsdb = (connectionString: string): EventStoreDBClient => {
  const problems = esdbConnectionProblems(connectionString);
  if (problems.length > 0) {
    throw new EsdbConnectionStringError(
      `the EventStoreDB connection string: ${problems.join('; ')}`,
    );
  }
  try {
    return EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    const expected =
      typeof error === 'object' && error !== null && 'expected' in error
        ? error.expected
        : undefined;
    throw new EsdbConnectionStringError(
      `the EventStoreDB connection string: ${
        typeof expected === 'string'
          ? `expected ${expected}`
          : withoutSecrets(errorMessage(error), connectionString)
      }`,
    );
  }
};
