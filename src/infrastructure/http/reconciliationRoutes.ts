import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillReconciliation } from '../../application/bills/reconcileBills.js';
import { reconciliationSchema } from '../../application/bills/reconciliation.js';
import { problem, problemSchema, sendProblem } from './problem.js';

const params = z.object({
  date: z.iso.date({ error: 'must be a China date YYYY-MM-DD' }).describe('China date (UTC+8)'),
});
const resource = reconciliationSchema.meta({ id: 'Reconciliation' });

/** /v1/reconciliations/{date}: WeChat's refund bill of a day against the log (DESIGN §5, BILLS.md). */
export const reconciliationRoutes =
  ({ bills }: { bills: Pick<BillReconciliation, 'get' | 'run'> }): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/reconciliations/:date',
      {
        schema: {
          summary: 'The latest reconciliation of the refund bill of a China date',
          params,
          response: { 200: resource, 400: problemSchema, 401: problemSchema, 404: problemSchema },
        },
      },
      async (request, reply) => {
        const found = await bills.get(request.params.date);
        if (found) return found;
        return sendProblem(
          reply,
          problem(404, 'RECONCILIATION_NOT_FOUND', 'No reconciliation of this date has run', {
            detail: `POST /v1/reconciliations/${request.params.date} runs one`,
          }),
        );
      },
    );

    app.post(
      '/reconciliations/:date',
      {
        schema: {
          summary: 'Download the refund bill of a China date and reconcile it with the log now',
          params,
          response: {
            200: resource,
            400: problemSchema,
            401: problemSchema,
            502: problemSchema.describe('BILL_UNAVAILABLE, or BILL_UNREADABLE'),
          },
        },
      },
      async (request) => bills.run(request.params.date),
    );
  };
