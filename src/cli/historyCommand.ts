import { refundStreamName } from '../application/refundEventCodec.js';
import { loadRefundEvents } from '../projections/refundQueries.js';
import { refundEventsBody } from '../infrastructure/http/refundEventsBody.js';
import { openReadOnlyEventStore } from '../infrastructure/stores/openReadOnlyStores.js';
import { errorMessage } from '../application/errorMessage.js';
import { writeAll, type CommandInput } from './commandIo.js';
import { formatHistory } from './formatHistory.js';
import { parseCommandArgs } from './parseCommandArgs.js';
import { UsageError } from './usageError.js';

/**
 * `refunds history <outRefundNo> [--json]`: the refund's events in order. --json prints them as
 * GET /v1/refunds/{outRefundNo}/events does. Exit 1 for an unknown refund, 2 when the store cannot
 * be read.
 */
export const historyCommand = async ({ config, args, io }: CommandInput): Promise<number> => {
  const { values, positionals } = parseCommandArgs(args, {
    json: { type: 'boolean', default: false },
  });
  const [outRefundNo, ...extra] = positionals;
  if (outRefundNo === undefined || extra.length > 0) {
    throw new UsageError('history takes one outRefundNo');
  }
  let events;
  try {
    events = openReadOnlyEventStore(config);
  } catch (error) {
    io.stderr.write(`Cannot read the history: ${errorMessage(error)}\n`);
    return 2;
  }
  try {
    const found = await loadRefundEvents(events)(outRefundNo);
    if (!found) {
      io.stderr.write(
        `No refund ${outRefundNo}: the log has no stream ${refundStreamName(outRefundNo)}\n`,
      );
      return 1;
    }
    await writeAll(io.stdout, [
      values.json ? `${JSON.stringify(refundEventsBody(found))}\n` : formatHistory(found),
    ]);
    return 0;
  } catch (error) {
    io.stderr.write(`Cannot read the history: ${errorMessage(error)}\n`);
    return 2;
  } finally {
    await events.close();
  }
};
