const hostName = String.raw`(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?`;
const hostList = new RegExp(`^${hostName}(?:,${hostName})*$`);

/**
 * Where a networked store lives, for log lines, readiness and answers: the scheme and hosts of
 * its connection string, never the credentials, the path or the options (which may carry
 * secrets), whatever the string looks like.
 *
 * The credentials end at the first `@`, as the EventStoreDB client reads them (its passwords may
 * hold `/`, `?` or `#` as they are; MongoDB's must encode them, so for a URL it accepts the first
 * `@` is the same one). Hosts that do not look like host[:port] are not shown: in a string that
 * is cut wrongly they could be part of a password.
 */
export const storeTarget = (connectionString: string): string => {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(connectionString);
  if (!scheme) return 'an unparseable connection string';
  const rest = connectionString.slice(scheme[0].length);
  const hosts = /^[^/?#]*/.exec(rest.slice(rest.indexOf('@') + 1))?.[0] ?? '';
  return `${scheme[1]}://${hostList.test(hosts) ? hosts : '(hosts not shown)'}`;
};

/** Options whose values may be secret (MongoDB's tlsCertificateKeyFilePassword, proxyPassword…). */
const secretOption = /pass|secret|token|key|auth|user|cred/i;

/**
 * The parts of a connection string that may be secret, as they are written and decoded: the
 * credentials (everything before the first `@`, the user and the password either side of its first
 * `:`) and
 * the values of options that may hold one.
 */
const secretsOf = (connectionString: string): string[] => {
  const rest = connectionString.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const at = rest.indexOf('@');
  const credentials = at === -1 ? '' : rest.slice(0, at);
  const colon = credentials.indexOf(':');
  const [user, password] =
    colon === -1 ? [credentials, ''] : [credentials.slice(0, colon), credentials.slice(colon + 1)];
  const query = rest
    .slice(at + 1)
    .split('?')
    .slice(1)
    .join('?');
  const values = query
    .split('&')
    .filter((pair) => secretOption.test(pair.split('=')[0] ?? ''))
    .map((pair) => pair.slice(pair.indexOf('=') + 1));
  const decoded = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return [credentials, user, password, ...values]
    .flatMap((text) => [text, decoded(text)])
    .filter((text) => text.length > 0);
};

/**
 * A driver's message about a connection string, unless it repeats a part of it that may be
 * secret: then only that the details are withheld.
 */
export const withoutSecrets = (message: string, connectionString: string): string =>
  secretsOf(connectionString).some((secret) => message.includes(secret))
    ? 'details withheld, as they would repeat part of it (in a user name or password, write : / ? # @ and % percent-encoded)'
    : message;
