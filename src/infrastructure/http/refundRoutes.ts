import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandContext } from '../../application/eventMetadata.js';
import type { RefundView } from '../../projections/refundView.js';
import { problem, problemSchema, sendProblem } from './problem.js';
import type { RefundApi } from './refundApi.js';
import {
  orderRefundsSchema,
  outRefundNoParams,
  outTradeNoSchema,
  refundEventsSchema,
  refundListQuerySchema,
  refundListSchema,
  refundRequestSchema,
  refundResourceSchema,
  repeatedRefundSchema,
  requestedRefundSchema,
  retryRequestSchema,
} from './refundSchemas.js';
import { refundEventsBody } from './refundEventsBody.js';

const refundLocation = (refund: RefundView): string =>
  `/v1/refunds/${encodeURIComponent(refund.outRefundNo)}`;

/** What a read of one resource answers besides 200: a bad id, no token, nothing there. */
const readProblems = { 400: problemSchema, 401: problemSchema, 404: problemSchema };

const notFound = (outRefundNo: string) =>
  problem(404, 'REFUND_NOT_FOUND', 'No such refund', {
    detail: `no refund with outRefundNo ${outRefundNo}`,
  });

/** The command and query routes of DESIGN §5 under /v1. */
export const refundRoutes =
  ({
    api,
    contextOf,
  }: {
    api: RefundApi;
    contextOf: (request: { id: string; headers: Record<string, unknown> }) => CommandContext;
  }): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/refunds',
      {
        schema: {
          summary: 'Request a refund',
          body: refundRequestSchema,
          response: {
            200: repeatedRefundSchema,
            202: requestedRefundSchema,
            400: problemSchema,
            401: problemSchema,
            409: problemSchema,
            422: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const { created, refund } = await api.requestRefund(request.body, contextOf(request));
        if (!created) return reply.code(200).send(refund);
        return reply.code(202).header('location', refundLocation(refund)).send(refund);
      },
    );

    app.get(
      '/refunds',
      {
        schema: {
          summary: 'List refunds, newest requestedAt first (how operators find FAILED ones)',
          querystring: refundListQuerySchema,
          response: { 200: refundListSchema, 400: problemSchema, 401: problemSchema },
        },
      },
      async (request) => api.listRefunds(request.query),
    );

    app.post(
      '/refunds/:outRefundNo/retry',
      {
        schema: {
          summary: 'Retry a refund that failed at request (e.g. after NOTENOUGH)',
          params: outRefundNoParams,
          body: retryRequestSchema,
          response: {
            202: refundResourceSchema,
            400: problemSchema,
            401: problemSchema,
            404: problemSchema,
            409: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const { refundAccount } = request.body ?? {};
        const refund = await api.retryRefund(
          request.params.outRefundNo,
          { ...(refundAccount !== undefined && { refundAccount }) },
          contextOf(request),
        );
        return reply.code(202).header('location', refundLocation(refund)).send(refund);
      },
    );

    app.get(
      '/refunds/:outRefundNo',
      {
        schema: {
          summary: 'A refund',
          params: outRefundNoParams,
          response: {
            200: refundResourceSchema,
            ...readProblems,
          },
        },
      },
      async (request, reply) => {
        const refund = await api.getRefund(request.params.outRefundNo);
        if (refund) return reply.send(refund);
        return sendProblem(reply, notFound(request.params.outRefundNo));
      },
    );

    app.get(
      '/orders/:outTradeNo/refunds',
      {
        schema: {
          summary: "An order's refunds, with what is refunded and what is pending",
          params: z.object({ outTradeNo: outTradeNoSchema }),
          response: {
            200: orderRefundsSchema,
            ...readProblems,
          },
        },
      },
      async (request, reply) => {
        const order = await api.getOrderRefunds(request.params.outTradeNo);
        if (order) return reply.send(order);
        return sendProblem(
          reply,
          problem(404, 'ORDER_NOT_FOUND', 'No refunds for this order', {
            detail: `no refund for outTradeNo ${request.params.outTradeNo}`,
          }),
        );
      },
    );

    app.get(
      '/refunds/:outRefundNo/events',
      {
        schema: {
          summary: "A refund's events as stored, for audit",
          params: outRefundNoParams,
          response: {
            200: refundEventsSchema,
            ...readProblems,
          },
        },
      },
      async (request, reply) => {
        const found = await api.getRefundEvents(request.params.outRefundNo);
        if (!found) {
          return sendProblem(reply, notFound(request.params.outRefundNo));
        }
        return reply.send(refundEventsBody(found));
      },
    );
  };
