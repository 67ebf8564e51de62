import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

/**
 * Paths that could ever carry a secret. Redaction is the last line of defence: secrets are
 * never put into log records on purpose.
 */
const redact = [
  'apiKey',
  'password',
  'token',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.apiTokens',
  'req.headers.authorization',
  'headers.authorization',
];

export const createLogger = (level: LogLevel, destination?: DestinationStream): Logger =>
  pino({ level, redact: { paths: redact, censor: '[redacted]' } }, destination);
