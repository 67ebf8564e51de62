/** The command line is wrong (unknown option, missing argument): exit 64 with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}
