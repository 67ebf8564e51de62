import type { JsonObject, JsonValue } from '../application/ports/eventStore.js';

type Value = JsonValue | undefined;

/*
 * Written as loops: the audit compares every document of every read model, and allocation-free
 * comparison keeps the garbage collector out of it. A key whose value is undefined counts as
 * absent, as it does in JSON.
 */
const objectsEqual = (a: JsonObject, b: JsonObject): boolean => {
  let keys = 0;
  for (const key in a) {
    const value = a[key];
    if (value === undefined) continue;
    keys += 1;
    if (!jsonEqual(value, b[key])) return false;
  }
  for (const key in b) if (b[key] !== undefined) keys -= 1;
  return keys === 0;
};

/** Structural equality of JSON values; the order of object keys does not matter. */
export const jsonEqual = (a: Value, b: Value): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  return objectsEqual(a, b);
};

/** The top-level fields whose values differ, in a stable order. */
export const differingFields = (a: JsonObject, b: JsonObject): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .filter((key) => !jsonEqual(a[key], b[key]));

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
