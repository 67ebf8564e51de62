import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyBearerAuth from '@fastify/bearer-auth';
import type { FastifyInstance } from 'fastify';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether a presented token is one of ours. Comparing fixed-length digests in constant time, and
 * every token each time, keeps the answer's timing from telling how much of a token was right
 * (the plugin's own comparison returns early on a length mismatch and at the first match).
 */
const anyTokenMatches = (tokens: readonly string[]) => {
  const expected = tokens.map(digest);
  return (presented: string): boolean => {
    const candidate = digest(presented);
    let admitted = false;
    for (const token of expected) admitted = timingSafeEqual(token, candidate) || admitted;
    return admitted;
  };
};

/**
 * Requires `Authorization: Bearer <token>`, for one of `tokens`, on every route of `scope`
 * (@fastify/bearer-auth reads the header). A refusal is an error for the app's error handler,
 * which answers the 401 problem with WWW-Authenticate. No tokens: no check.
 */
export const bearerAuth = async (
  scope: FastifyInstance,
  tokens: readonly string[],
): Promise<void> => {
  if (tokens.length === 0) return;
  await scope.register(fastifyBearerAuth, {
    keys: [],
    auth: anyTokenMatches(tokens),
    // The scheme in any case ("bearer"), as RFC 7235 has it for every auth scheme.
    specCompliance: 'rfc6749',
    // Decorate only: the hook below hands refusals to the error handler, so a 401 is answered
    // in the one place that maps errors to problems. The handler logs the refusal itself.
    addHook: false,
    verifyErrorLogLevel: 'debug',
  });
  const verify = scope.verifyBearerAuth;
  if (!verify) throw new Error('@fastify/bearer-auth did not decorate verifyBearerAuth');
  scope.addHook('onRequest', (request, reply, done) => verify(request, reply, done));
};
