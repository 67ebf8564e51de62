import { refundStreamName } from '../application/refundEventCodec.js';
import { loadRefundEvents } from '../projections/refundQueries.js';
import { refundEventsBody } from '../infrastructure/http/refundEventsBody.js';
import { openReadOnlyEventStore } from '../infrastructure/stores/openReadOnlyStores.js';
import { errorMessage } from '../application/errorMessage.js';
import { defineCommand } from './command.js';
import { writeAll } from './commandIo.js';
import { formatHistory } from './formatHistory.js';

/**
 * `refunds history <outRefundNo> [--json]`: the refund's events in order. --json prints them as
 * GET /v1/refunds/{outRefundNo}/events does. Exit 1 for an unknown refund, 2 when the store cannot
 * be read.
 */
export const historyCommand = defineCommand({
  name: 'history',
  operands: [{ name: 'outRefundNo', required: true }],
  options: { json: { type: 'boolean', default: false } },
  description: "one refund's events as a timeline; exit 1 if unknown",
  run: async ({ values, operands: [outRefundNo = ''], config }, io) => {
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
  },
});
