import type { Statement } from 'better-sqlite3';
import { chooseIndex, decodeCursor, pageOf } from '../../application/documentQuery.js';
import type {
  DocumentPage,
  DocumentQuery,
  FieldValue,
  OrderedIndex,
} from '../../application/ports/documentStore.js';
import { checkDocumentPath } from '../stores/documentNames.js';
import type { SqliteDatabase } from './openSqliteDatabase.js';

type Page = Statement<(string | number)[], { id: string; body: string }>;

const field = (path: string) => `json_extract(body, '$.${checkDocumentPath(path)}')`;

/** SQLite's JSON booleans come back from json_extract as 1 and 0. */
export const bindable = (value: FieldValue): string | number =>
  typeof value === 'boolean' ? Number(value) : value;

export const orderedIndexName = (prefix: string, index: OrderedIndex): string =>
  `${prefix}__by_${[...index.equal, index.orderBy].join('_').replaceAll('.', '_')}_${index.direction}`;

/**
 * DocumentCollection.query on SQLite: one expression index per declared ordered index
 * (equal fields, then the order field in its direction, then id), named in the query with
 * INDEXED BY so the planner cannot fall back to a scan of the table. Keyset pagination: the page
 * after the cursor (v, id) is "order value beyond v, or equal to v with a greater id", written as
 * a range on the index plus a filter on the few rows equal to v.
 */
export const sqliteQuery = <T extends object>(
  db: SqliteDatabase,
  {
    table,
    indexPrefix,
    collection,
    orderedIndexes,
    createIndexes,
    parse,
  }: {
    table: string;
    indexPrefix: string;
    collection: string;
    orderedIndexes: readonly OrderedIndex[];
    createIndexes: boolean;
    parse: (text: string) => T;
  },
) => {
  if (createIndexes) {
    for (const index of orderedIndexes) {
      const columns = [
        ...index.equal.map(field),
        `${field(index.orderBy)} ${index.direction.toUpperCase()}`,
        'id',
      ];
      db.exec(
        `CREATE INDEX IF NOT EXISTS "${orderedIndexName(indexPrefix, index)}" ON ${table} (${columns.join(', ')})`,
      );
    }
  }
  const statements = new Map<string, Page>();

  const statement = (query: DocumentQuery, index: OrderedIndex): Page => {
    const indexName = orderedIndexName(indexPrefix, index);
    const key = JSON.stringify([
      Object.keys(query.where ?? {}),
      query.orderBy,
      query.direction,
      query.range?.min !== undefined,
      query.range?.max !== undefined,
      query.after !== undefined,
      indexName,
    ]);
    let prepared = statements.get(key);
    if (!prepared) {
      prepared = db.prepare(sqliteQuerySql(table, indexName, query));
      statements.set(key, prepared);
    }
    return prepared;
  };

  return {
    run: (query: DocumentQuery): DocumentPage<T> => {
      const index = chooseIndex(collection, orderedIndexes, query);
      const cursor = query.after === undefined ? undefined : decodeCursor(query.after);
      const rows = statement(query, index)
        .all(...sqliteQueryParameters(query, cursor))
        .map((row) => ({ id: row.id, body: parse(row.body) }));
      return pageOf(rows, query);
    },
    /** Forgets the prepared statements (the table was dropped). */
    clear: (): void => statements.clear(),
  };
};

/** The SELECT of a query page. Exported for the test that reads its query plan. */
export const sqliteQuerySql = (table: string, indexName: string, query: DocumentQuery): string => {
  const order = field(query.orderBy);
  const beyond = query.direction === 'desc' ? '<=' : '>=';
  const conditions = [
    ...Object.keys(query.where ?? {}).map((name) => `${field(name)} = ?`),
    `${order} IS NOT NULL`,
    ...(query.range?.min !== undefined ? [`${order} >= ?`] : []),
    ...(query.range?.max !== undefined ? [`${order} <= ?`] : []),
    ...(query.after !== undefined
      ? [`${order} ${beyond} ?`, `NOT (${order} = ? AND id <= ?)`]
      : []),
  ];
  return `SELECT id, body FROM ${table} INDEXED BY "${indexName}"
    WHERE ${conditions.join(' AND ')}
    ORDER BY ${order} ${query.direction.toUpperCase()}, id ASC LIMIT ?`;
};

/** The parameters of sqliteQuerySql, in its order. */
export const sqliteQueryParameters = (
  query: DocumentQuery,
  cursor: { value: FieldValue; id: string } | undefined,
): (string | number)[] => [
  ...Object.values(query.where ?? {}).map(bindable),
  ...(query.range?.min !== undefined ? [bindable(query.range.min)] : []),
  ...(query.range?.max !== undefined ? [bindable(query.range.max)] : []),
  ...(cursor ? [bindable(cursor.value), bindable(cursor.value), cursor.id] : []),
  query.limit + 1,
];
