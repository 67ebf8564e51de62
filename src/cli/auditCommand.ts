import { z } from 'zod';
import { runAudit, type AuditProgress } from '../audit/runAudit.js';
import type { Config } from '../infrastructure/config/config.js';
import {
  openReadOnlyDocumentStore,
  openReadOnlyEventStore,
  openReadOnlyRefundLog,
} from '../infrastructure/stores/openReadOnlyStores.js';
import { errorMessage } from '../application/errorMessage.js';
import { defineCommand } from './command.js';
import { writeAll } from './commandIo.js';
import { formatAuditReport } from './formatAuditReport.js';
import { createProgressBar, type ProgressBar } from './progressBar.js';
import { UsageError } from './usageError.js';

/** Exit codes of `refunds audit`. */
export const auditExit = { clean: 0, anomalies: 1, unreadable: 2 } as const;

const seconds = z.string().regex(/^\d+$/, 'must be a whole number of seconds').transform(Number);

/** --stale-after, or the reconciler's own threshold. */
const staleAfterSecondsOf = (staleAfter: string | undefined, config: Config): number => {
  if (staleAfter === undefined) return config.reconcileAfterSeconds;
  const parsed = seconds.safeParse(staleAfter);
  if (!parsed.success) {
    throw new UsageError(`--stale-after: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

const showProgress = (bar: ProgressBar) => (progress: AuditProgress) => {
  if (progress.phase === 'replay') {
    const fraction = progress.total === 0 ? 1 : progress.events / progress.total;
    bar.update('replaying the log', fraction, progress.events, 'events');
  } else {
    // `expected` is the documents the replay had: the read model may hold a few more.
    const fraction =
      progress.expected === 0 ? 1 : Math.min(1, progress.documents / progress.expected);
    bar.update(`comparing ${progress.readModel}`, fraction, progress.documents, 'documents');
  }
};

/**
 * `refunds audit [--json] [--stale-after SECONDS]`: replays every refund event of the configured
 * store, checks it, compares the read models, and prints the report. Read-only, beside a running
 * service. Exit 0 clean, 1 with anomalies, 2 when the store cannot be read.
 */
export const auditCommand = defineCommand({
  name: 'audit',
  options: {
    json: { type: 'boolean', default: false },
    'stale-after': { type: 'string', value: 'SECONDS' },
  },
  description:
    'replay every refund event, check the rules and the read models; exit 0 clean, ' +
    '1 anomalies, 2 store unreadable',
  run: async ({ values, config }, io) => {
    const json = values.json;
    const staleAfterSeconds = staleAfterSecondsOf(values['stale-after'], config);
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
        now: new Date(),
        staleAfterSeconds,
        openLog: (head) => openReadOnlyRefundLog(config, stores.events, head),
        ...(bar && { onProgress: showProgress(bar) }),
      });
      bar?.clear();
      if (!stores.documents) {
        io.stderr.write(
          `No read-model store in ${config.dataDir}: the read models were not compared.\n`,
        );
      }
      await writeAll(io.stdout, [
        json
          ? `${JSON.stringify(report)}\n`
          : formatAuditReport(report, { dataDir: config.dataDir }),
      ]);
      return report.clean ? auditExit.clean : auditExit.anomalies;
    } catch (error) {
      bar?.clear();
      return cannot(error);
    } finally {
      await stores.documents?.close();
      await stores.events.close();
    }
  },
});
