import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { CommandContext } from '../../application/eventMetadata.js';
import type { Metrics } from '../observability/metrics.js';
import type { Readiness } from '../observability/readiness.js';
import { bearerAuth } from './bearerAuth.js';
import { compiledSerializers } from './compiledSerializers.js';
import { operationsRoutes } from './operationsRoutes.js';
import { problem, sendProblem } from './problem.js';
import { problemFromError } from './problemFromError.js';
import type { RefundApi } from './refundApi.js';
import { refundRoutes } from './refundRoutes.js';
import { refundResourceSchemas } from './refundSchemas.js';

export type HttpAppDeps = {
  logger: FastifyBaseLogger;
  apiTokens: readonly string[];
  refunds: RefundApi;
  readiness: () => Promise<Readiness>;
  metrics: Metrics;
  /** Routes outside /v1 with their own authentication (the WeChat notify endpoint). */
  plugins?: FastifyPluginAsync[];
  /** More routes under /v1, behind its bearer tokens (the event feed, webhook endpoints). */
  v1Plugins?: FastifyPluginAsync[];
  /** Every answer, with how long after its request arrived (observability/apiLoad.ts). */
  onAnswered?: (elapsedMs: number) => void;
};

/** JSON bodies of /v1 are small; anything bigger is refused before it is parsed. */
export const apiBodyLimit = 16 * 1024;

const safeId = /^[\w.:-]{1,128}$/;

const headerId = (request: { headers: Record<string, unknown> }, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' && safeId.test(value) ? value : undefined;
};

/** The correlation id comes from the caller when it sends one, so a refund can be traced across services. */
export const apiContext = (request: {
  id: string;
  headers: Record<string, unknown>;
}): CommandContext => ({
  correlationId: headerId(request, 'x-correlation-id') ?? request.id,
  causationId: request.id,
  source: 'api',
});

export const buildHttpApp = async (deps: HttpAppDeps): Promise<FastifyInstance> => {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: apiBodyLimit,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => headerId(request, 'x-request-id') ?? randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(compiledSerializers(refundResourceSchemas));

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'WeChat Pay refund service',
        version: '1',
        description: 'Event-sourced refunds for WeChat Pay. Amounts are integers in fen.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });

  app.setErrorHandler(async (error, request, reply) => {
    const answer = problemFromError(error);
    if (answer.status >= 500) logServerError(request, error);
    else request.log.info({ code: answer.code, status: answer.status }, 'request refused');
    if (answer.status === 401) reply.header('www-authenticate', 'Bearer realm="refunds"');
    return sendProblem(reply, answer);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(
      reply,
      problem(404, 'NOT_FOUND', 'No such resource', {
        detail: `${request.method} ${request.url}`,
      }),
    ),
  );

  // The API's requests are reported; the operations routes' (a scrape of /metrics) are not.
  const onAnswered = deps.onAnswered ?? (() => undefined);
  const reportAnswers = (scope: FastifyInstance) =>
    scope.addHook('onResponse', async (_request, reply) => onAnswered(reply.elapsedTime));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(operationsRoutes({ readiness: deps.readiness, metrics: deps.metrics }));
  await app.register(
    async (v1) => {
      // /v1 speaks JSON only: a text/plain body is refused (415) rather than validated as a string.
      v1.removeContentTypeParser('text/plain');
      reportAnswers(v1);
      await bearerAuth(v1, deps.apiTokens);
      await v1.register(refundRoutes({ api: deps.refunds, contextOf: apiContext }));
      for (const plugin of deps.v1Plugins ?? []) await v1.register(plugin);
    },
    { prefix: '/v1' },
  );
  await app.register(async (outside) => {
    reportAnswers(outside);
    for (const plugin of deps.plugins ?? []) await outside.register(plugin);
  });
  return app;
};

const logServerError = (request: FastifyRequest, error: unknown): void => {
  request.log.error({ err: error }, 'request failed');
};
