import { metric, waitFor } from './processes.js';

/**
 * Waits (up to a minute) until the projections are caught up (the gateway's own traffic keeps
 * them a few positions behind at most) and, with webhooks, no pending delivery is older than a
 * second: the backlog a figure left is worked off before the next one starts.
 */
export const settled = (serviceUrl: string, webhooks: boolean): Promise<void> =>
  waitFor(
    async () =>
      (await metric(serviceUrl, 'projection_lag_positions')) <= 50 &&
      (!webhooks || (await metric(serviceUrl, 'webhook_oldest_pending_delivery_seconds')) < 1),
    60_000,
    'the backlog to be worked off',
  ).catch(() => {
    process.stderr.write('    the backlog was not worked off within a minute; going on\n');
  });
