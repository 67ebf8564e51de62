import { stat } from 'node:fs/promises';
import { BillDateRefused } from '../application/bills/billErrors.js';
import { checkBillDate, createBillReconciliation } from '../application/bills/reconcileBills.js';
import { openReconciliations } from '../application/bills/reconciliationStore.js';
import { errorMessage } from '../application/errorMessage.js';
import { createRefundCommandHandler } from '../application/handleRefundCommand.js';
import { systemClock } from '../application/ports/clock.js';
import type { Config } from '../infrastructure/config/config.js';
import { createLogger } from '../infrastructure/observability/logger.js';
import { openStores } from '../infrastructure/stores/openStores.js';
import { billFile } from '../infrastructure/wechat/bills/downloadedBill.js';
import { setUpLiveWechat } from '../infrastructure/wechat/wechatSetup.js';
import { billExpectationProjection, type BillExpectation } from '../projections/billExpectation.js';
import { billLogOf } from '../projections/billLog.js';
import { startProjection, type LaunchedProjection } from '../projections/startProjection.js';
import { untilCaughtUp } from '../projections/untilCaughtUp.js';
import { defineCommand } from './command.js';
import { writeAll } from './commandIo.js';
import { formatReconciliation } from './formatReconciliation.js';

/** Exit codes of `refunds bills reconcile` (DESIGN §7). */
export const billsExit = { clean: 0, discrepancies: 1, noBill: 2 } as const;

/** Why there is nothing to reconcile: one line, exit 2. */
class Refused extends Error {}

/** A file a person names: there, a file, readable. */
const checkFile = async (file: string): Promise<void> => {
  const found = await stat(file).catch((error: unknown) => {
    throw new Refused(`cannot read ${file}: ${errorMessage(error)}`);
  });
  if (!found.isFile()) throw new Refused(`${file} is not a file`);
};

const notifyBaseOf = (config: Config): string =>
  config.publicBaseUrl ??
  `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;

/**
 * The WeChat Pay client of the configured API version, for the bill download and refund queries;
 * none in sandbox mode, whose simulated WeChat lives inside `refunds serve`.
 */
const wechatClientOf = (config: Config, logger: ReturnType<typeof createLogger>) => {
  if (config.wechat.mode !== 'live') return undefined;
  const wechat = setUpLiveWechat(config, config.wechat, { logger });
  const base = notifyBaseOf(config);
  const client =
    wechat.apiVersion === 'v3' && wechat.v3
      ? wechat.v3.createClient(`${base}/wechat/v3/refund-notify`)
      : wechat.createClient(`${base}/wechat/refund-notify`);
  return {
    client,
    close: async () => {
      client.close();
      await wechat.close();
    },
  };
};

/**
 * `refunds bills reconcile --date YYYY-MM-DD [--file PATH] [--json]` (DESIGN §7, BILLS.md §3):
 * WeChat's refund bill of that China date, downloaded with the configured API version or read
 * from PATH as WeChat delivers it, against the log; the result is stored (GET
 * /v1/reconciliations/{date}) and printed. Refunds the bill shows succeeded and the log lacks are
 * recorded, as the service's daily run does. Exit 0 clean, 1 discrepancies, 2 no bill yet or an
 * unreadable one (nothing recorded then).
 */
export const billsReconcileCommand = defineCommand({
  name: 'bills reconcile',
  options: {
    date: { type: 'string', value: 'YYYY-MM-DD', required: true },
    file: { type: 'string', value: 'PATH' },
    json: { type: 'boolean', default: false },
  },
  description:
    "reconcile WeChat Pay's refund bill of a China date (downloaded, or the file) with the log " +
    'and store the result; exit 0 clean, 1 discrepancies, 2 no bill or unreadable',
  run: async ({ values, config }, io) => {
    // Required: the command table refuses the command line without it.
    const { date = '', file } = values;
    const refuse = (message: string) => {
      io.stderr.write(`Cannot reconcile the bill of ${date}: ${message}\n`);
      return billsExit.noBill;
    };
    try {
      checkBillDate(date, systemClock.now());
      if (file !== undefined) await checkFile(file);
      else if (config.wechat.mode === 'sandbox') {
        throw new Refused(
          'in sandbox mode the simulated WeChat Pay runs inside `refunds serve`: ask it ' +
            `(POST /v1/reconciliations/${date}), or give the bill with --file`,
        );
      }
    } catch (error) {
      if (error instanceof Refused || error instanceof BillDateRefused)
        return refuse(error.message);
      throw error;
    }

    const logger = createLogger(config.logLevel, io.stderr);
    const stores = openStores(config, { log: logger });
    const deps = { ...stores, log: logger, clock: systemClock };
    let wechat: ReturnType<typeof wechatClientOf>;
    let projection: LaunchedProjection<BillExpectation> | undefined;
    try {
      wechat = file === undefined ? wechatClientOf(config, logger) : undefined;
      projection = await startProjection(billExpectationProjection, deps);
      const running = projection;
      const client = wechat?.client;
      const bills = createBillReconciliation({
        log: billLogOf({ events: stores.events, collection: running.collection }),
        handle: createRefundCommandHandler({ events: stores.events }),
        reconciliations: openReconciliations(stores.documents),
        clock: systemClock,
        caughtUp: () => untilCaughtUp(running.status),
        ...(client && {
          queryRefund: (outRefundNo: string) => client.queryRefund(outRefundNo),
          fetchBill: (billDate: string) => client.downloadBill(billDate),
        }),
      });
      const result =
        file === undefined ? await bills.run(date) : await bills.reconcile(date, billFile(file));
      await writeAll(io.stdout, [
        values.json ? `${JSON.stringify(result)}\n` : formatReconciliation(result),
      ]);
      return result.clean ? billsExit.clean : billsExit.discrepancies;
    } catch (error) {
      // Exit 1 says discrepancies: whatever else stops the reconciliation (no bill yet, a file
      // that is no bill, a store or a certificate that cannot be read) is exit 2.
      return refuse(errorMessage(error));
    } finally {
      await projection?.stop();
      await wechat?.close();
      await stores.documents.close();
      await stores.events.close();
    }
  },
});
