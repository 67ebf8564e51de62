import type { JsonObject } from '../../application/ports/eventStore.js';

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON.parse only ever yields JSON values, so checking the top level is enough. */
export const parseJsonObject = (text: string, what: string): JsonObject => {
  const value: unknown = JSON.parse(text);
  if (!isJsonObject(value)) throw new Error(`${what} is not a JSON object`);
  return value;
};
