import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type LogRecord = { level: number; msg: string; [field: string]: unknown };

/** A real pino logger whose records are kept, parsed, for a test to read. */
export const captureLogs = (
  level: pino.Level = 'info',
): { logger: Logger; records: () => LogRecord[] } => {
  const lines: string[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level }, sink),
    records: () => lines.map((line): LogRecord => JSON.parse(line)),
  };
};

/** pino's numeric levels. */
export const logLevel = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
