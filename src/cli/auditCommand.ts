import { z } from 'zod';
import { runAudit, type AuditProgress } from '../audit/runAudit.js';
import type { Config } from '../infrastructure/config/config.js';
import {
  openReadOnlyDocumentStore,
  openReadOnlyEventStore,
} from '../infrastructure/stores/openReadOnlyStores.js';
import { errorMessage } from '../application/errorMessage.js';
import { writeAll, type CommandInput } from './commandIo.js';
import { formatAuditReport } from './formatAuditReport.js';
import { parseCommandArgs } from './parseCommandArgs.js';
import { createProgressBar, type ProgressBar } from './progressBar.js';
import { UsageError } from './usageError.js';

/** Exit codes of `refunds audit`. */
export const auditExit = { clean: 0, anomalies: 1, unreadable: 2 } as const;

const seconds = z.string().regex(/^\d+$/, 'must be a whole number of seconds').transform(Number);

const parseAuditArgs = (args: string[], config: Config) => {
  const { values, positionals } = parseCommandArgs(args, {
    json: { type: 'boolean', default: false },
    'stale-after': { type: 'string' },
  });
  if (positionals.length > 0)
    throw new UsageError(`audit takes no arguments: ${positionals.join(' ')}`);
  const staleAfter = values['stale-after'];
  if (staleAfter === undefined)
    return { json: values.json, staleAfterSeconds: config.reconcileAfterSeconds };
  const parsed = seconds.safeParse(staleAfter);
  if (!parsed.success)
    throw new UsageError(`--stale-after: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { json: values.json, staleAfterSeconds: parsed.data };
};

const showProgress = (bar: ProgressBar) => (progress: AuditProgress) => {
  if (progress.phase === 'replay') {
    const span = Number(progress.head - progress.first) + 1;
    const fraction = (Number(progress.position - progress.first) + 1) / span;
    bar.update('replaying the log', fraction, progress.events, 'events');
  } else {
    const fraction = progress.expected === 0 ? 1 : progress.documents / progress.expected;
    bar.update(`comparing ${progress.readModel}`, fraction, progress.documents, 'documents');
  }
};

/**
 * `refunds audit [--json] [--stale-after SECONDS]`: replays every refund event of the configured
 * store, checks it, compares the read models, and prints the report. Read-only, beside a running
 * service. Exit 0 clean, 1 with anomalies, 2 when the store cannot be read.
 */
export const auditCommand = async ({
  config,
  args,
  io,
  now = () => new Date(),
}: CommandInput & { now?: () => Date }): Promise<number> => {
  const { json, staleAfterSeconds } = parseAuditArgs(args, config);
  const cannot = (error: unknown) => {
    io.stderr.write(`Cannot audit: ${errorMessage(error)}\n`);
    return auditExit.unreadable;
  };
  let stores;
  try {
    const events = openReadOnlyEventStore(config);
    try {
      stores = { events, documents: openReadOnlyDocumentStore(config) };
    } catch (error) {
      await events.close();
      throw error;
    }
  } catch (error) {
    return cannot(error);
  }

  const bar = io.stderr.isTTY ? createProgressBar(io.stderr) : undefined;
  try {
    const report = await runAudit({
      ...stores,
      now: now(),
      staleAfterSeconds,
      ...(bar && { onProgress: showProgress(bar) }),
    });
    bar?.clear();
    if (!stores.documents) {
      io.stderr.write(
        `No read-model store in ${config.dataDir}: the read models were not compared.\n`,
      );
    }
    await writeAll(io.stdout, [
      json ? `${JSON.stringify(report)}\n` : formatAuditReport(report, { dataDir: config.dataDir }),
    ]);
    return report.clean ? auditExit.clean : auditExit.anomalies;
  } catch (error) {
    bar?.clear();
    return cannot(error);
  } finally {
    await stores.documents?.close();
    await stores.events.close();
  }
};
