import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * An onRequest hook that admits `Authorization: Bearer <token>` for one of the tokens.
 * Comparing fixed-length digests in constant time, and every token each time, keeps the
 * answer's timing from telling how much of a token was right.
 */
export const bearerAuth = (tokens: readonly string[]) => {
  const expected = tokens.map(digest);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (expected.length === 0) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const presented = digest(match?.[1] ?? '');
    let admitted = false;
    for (const token of expected) admitted = timingSafeEqual(token, presented) || admitted;
    if (admitted) return;
    await sendProblem(
      reply.header('www-authenticate', 'Bearer realm="refunds"'),
      problem(401, 'UNAUTHORIZED', 'A valid bearer token is required'),
    );
  };
};
