import type { FastifyReply } from 'fastify';
import { z } from 'zod';

export const problemContentType = 'application/problem+json';

export const fieldErrorSchema = z.object({
  field: z.string(),
  in: z.string(),
  message: z.string(),
});

/** RFC 9457 problem details, with the stable `code` clients branch on. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(fieldErrorSchema).optional(),
});

export type FieldError = z.infer<typeof fieldErrorSchema>;
export type Problem = z.infer<typeof problemSchema>;

export const problem = (
  status: number,
  code: string,
  title: string,
  extra: { detail?: string; errors?: FieldError[] } = {},
): Problem => ({
  type: `urn:refund-service:problem:${code}`,
  title,
  status,
  code,
  ...extra,
});

/** Answers with the problem, its status and the problem+json media type. */
export const sendProblem = (reply: FastifyReply, answer: Problem): FastifyReply =>
  reply.code(answer.status).type(problemContentType).send(answer);
