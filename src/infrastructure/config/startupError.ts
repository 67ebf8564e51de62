/** A configuration the service cannot start with; its message is the one line the operator reads. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
