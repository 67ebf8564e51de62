/**
 * Where a networked store lives, for log lines and readiness reasons: the scheme and hosts of its
 * connection string without the credentials, the path or the options (which may carry secrets).
 */
export const storeTarget = (connectionString: string): string => {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(connectionString);
  return match ? `${match[1]}://${match[2]}` : 'an unparseable connection string';
};
