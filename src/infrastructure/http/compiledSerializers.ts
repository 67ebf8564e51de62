import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Answers with these response schemas are written by a serializer compiled from their JSON
 * Schema (fast-json-stringify), the others as fastify-type-provider-zod writes them: a zod parse
 * of the answer, then JSON.stringify. For answers the service built itself (the refund resource,
 * from its own view or fold), the parse only re-checked what the types already say, on every
 * request. The bytes are the same: the properties in the schema's order, the ones it does not
 * name left out (test/infrastructure/http/compiledSerializers.test.ts compares both).
 * `required` is taken out of the compiled schema: fast-json-stringify writes the required
 * properties first, zod (and so the contract's bytes) in the order of the schema.
 */
export const compiledSerializers = (
  schemas: readonly z.ZodType[],
): FastifySerializerCompiler<unknown> => {
  const compiled = new Map(
    schemas.map((schema) => [
      schema,
      fastJson(
        withoutRequired(z.toJSONSchema(schema, { target: 'draft-7', io: 'output' })) as Parameters<
          typeof fastJson
        >[0],
      ),
    ]),
  );
  return (route) => {
    const stringify = compiled.get(route.schema as z.ZodType);
    return stringify ?? zodSerializerCompiler(route as Parameters<typeof zodSerializerCompiler>[0]);
  };
};

/** The JSON Schema without its `required` lists (a property named so is an object), at every depth. */
const withoutRequired = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(withoutRequired);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'required' && Array.isArray(value)))
      .map(([key, value]) => [key, withoutRequired(value)]),
  );
};
