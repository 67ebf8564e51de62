const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Collection and field names of the document stores: plain identifiers, so they are safe as SQLite
 * table and JSON-path names, and as MongoDB collection names and dotted field paths (no `.`, no
 * `$`, never a `system.` collection).
 */
export const isDocumentName = (name: string): boolean => identifier.test(name);

export const checkDocumentName = (kind: 'collection' | 'field', name: string): string => {
  if (!isDocumentName(name)) throw new Error(`invalid ${kind} name: ${name}`);
  return name;
};

/** A field of a query index: a name, or a dotted path of names (`failure.code`). */
export const checkDocumentPath = (path: string): string => {
  if (!path.split('.').every(isDocumentName)) throw new Error(`invalid field path: ${path}`);
  return path;
};
