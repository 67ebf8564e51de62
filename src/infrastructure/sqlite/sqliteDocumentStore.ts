import type {
  CollectionOptions,
  DocumentCollection,
  DocumentStore,
  DocumentWrite,
} from '../../application/ports/documentStore.js';
import { bindable, sqliteQuery } from './sqliteQuery.js';
import type { JsonObject } from '../../application/ports/eventStore.js';
import type { Statement } from 'better-sqlite3';
import { checkDocumentName } from '../stores/documentNames.js';
import { emptyCollection } from './emptyCollection.js';
import { openSqliteDatabase, type SqliteDatabase } from './openSqliteDatabase.js';
import { sqliteHealth } from './sqliteHealth.js';

const tablePrefix = 'doc_';

/**
 * Read models on embedded SQLite: one table per collection, the document as JSON text, indexed
 * fields through expression indexes on json_extract. synchronous=NORMAL: a power cut may lose the
 * last writes, which the projections then replay from the log.
 *
 * `readonly` (the audit commands, beside a running service) creates nothing: a collection whose
 * table does not exist reads as empty, and writes fail.
 */
export const createSqliteDocumentStore = ({
  file,
  readonly = false,
}: {
  file: string;
  readonly?: boolean;
}): DocumentStore => {
  const db = openSqliteDatabase(file, { synchronous: 'NORMAL', readonly });
  const tableExists = db
    .prepare<[string], unknown>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .pluck();
  return {
    collection: <T extends JsonObject>(name: string, options: CollectionOptions<T>) => {
      checkDocumentName('collection', name);
      if (readonly && tableExists.get(`${tablePrefix}${name}`) === undefined) {
        return Promise.resolve(emptyCollection<T>());
      }
      return Promise.resolve(sqliteCollection(db, name, options, { createTable: !readonly }));
    },
    collectionNames: () =>
      Promise.resolve(
        db
          .prepare<[string], string>(
            "SELECT substr(name, 5) FROM sqlite_master WHERE type = 'table' AND name LIKE ? ORDER BY name",
          )
          .pluck()
          .all(`${tablePrefix}%`),
      ),
    health: () => sqliteHealth(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
};

type Row = { body: string | null; position: bigint };

const sqliteCollection = <T extends JsonObject>(
  db: SqliteDatabase,
  name: string,
  { decode, indexes = [], orderedIndexes = [] }: CollectionOptions<T>,
  { createTable }: { createTable: boolean },
): DocumentCollection<T> => {
  const table = `"${tablePrefix}${name}"`;
  for (const field of indexes) checkDocumentName('field', field);
  if (createTable) {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, position INTEGER NOT NULL, body TEXT)`,
    );
    for (const field of indexes) {
      db.exec(
        `CREATE INDEX IF NOT EXISTS "${tablePrefix}${name}__${field}" ON ${table} (json_extract(body, '$.${field}'))`,
      );
    }
  }

  const parse = (text: string): T => decode(JSON.parse(text));
  const query = sqliteQuery(db, {
    table,
    indexPrefix: `${tablePrefix}${name}`,
    collection: name,
    orderedIndexes,
    createIndexes: createTable,
    parse,
  });

  const select = db.prepare<[string], Row>(`SELECT body, position FROM ${table} WHERE id = ?`);
  const upsert = db.prepare<[string, bigint, string | null]>(
    `INSERT INTO ${table} (id, position, body) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET position = excluded.position, body = excluded.body
     WHERE excluded.position > ${table}.position`,
  );
  const written = (id: string, position: bigint, body: string | null): boolean =>
    upsert.run(id, position, body).changes > 0;
  // One transaction, one commit for the whole batch.
  const writeAll = db.transaction((writes: readonly DocumentWrite<T>[]) =>
    writes.map(({ id, body, position }) =>
      written(id, position, body === null ? null : JSON.stringify(body)),
    ),
  );

  const findStatements = new Map<string, Statement<(string | number)[], string>>();
  const findStatement = (field: string, count: number) => {
    const key = `${field}/${count}`;
    let statement = findStatements.get(key);
    if (!statement) {
      if (!indexes.includes(field)) throw new Error(`${name}.${field} is not an indexed field`);
      const placeholders = Array.from({ length: count }, () => '?').join(', ');
      statement = db
        .prepare<(string | number)[], string>(
          `SELECT body FROM ${table} WHERE json_extract(body, '$.${field}') IN (${placeholders}) AND body IS NOT NULL ORDER BY id`,
        )
        .pluck();
      findStatements.set(key, statement);
    }
    return statement;
  };

  // Paged by id rather than one open cursor: writes may interleave between pages.
  const entries = async function* () {
    const page = db.prepare<[string], { id: string; body: string; position: bigint }>(
      `SELECT id, body, position FROM ${table} WHERE id > ? AND body IS NOT NULL ORDER BY id LIMIT 500`,
    );
    for (let after = ''; ;) {
      const rows = page.all(after);
      for (const row of rows) yield { id: row.id, body: parse(row.body), position: row.position };
      const last = rows.at(-1);
      if (!last) return;
      after = last.id;
    }
  };

  // Bound by SQLite's limit on variables (32,766 in better-sqlite3's build): larger lists go in slices.
  const manyStatements = new Map<number, Statement<string[], { id: string } & Row>>();
  const selectMany = (ids: readonly string[]) => {
    let statement = manyStatements.get(ids.length);
    if (!statement) {
      const placeholders = ids.map(() => '?').join(', ');
      statement = db.prepare<string[], { id: string } & Row>(
        `SELECT id, body, position FROM ${table} WHERE id IN (${placeholders})`,
      );
      manyStatements.set(ids.length, statement);
    }
    return statement.all(...ids);
  };
  const slice = 1000;

  const positionsAfter = db.prepare<[string, number], { id: string; position: bigint }>(
    `SELECT id, position FROM ${table} WHERE id > ? AND body IS NOT NULL ORDER BY id LIMIT ?`,
  );
  const firstPositions = db.prepare<[number], { id: string; position: bigint }>(
    `SELECT id, position FROM ${table} WHERE body IS NOT NULL ORDER BY id LIMIT ?`,
  );

  return {
    // async so that a failure (a document that does not decode) is a rejection, not a throw.
    get: async (id) => {
      const row = select.get(id);
      return row?.body ? parse(row.body) : undefined;
    },
    getWithPosition: async (id) => {
      const row = select.get(id);
      return row && { body: row.body ? parse(row.body) : undefined, position: row.position };
    },
    getMany: async (ids) => {
      const found = new Map<string, { body: T | undefined; position: bigint }>();
      for (let from = 0; from < ids.length; from += slice) {
        for (const row of selectMany(ids.slice(from, from + slice))) {
          found.set(row.id, {
            body: row.body ? parse(row.body) : undefined,
            position: row.position,
          });
        }
      }
      return found;
    },
    put: async (id, body, position) => written(id, position, JSON.stringify(body)),
    delete: async (id, position) => written(id, position, null),
    writeMany: async (writes) => writeAll(writes),
    findBy: async (field, value) => {
      const values = (Array.isArray(value) ? value : [value]).map(bindable);
      if (values.length === 0) return [];
      return findStatement(field, values.length)
        .all(...values)
        .map(parse);
    },
    query: async (q) => query.run(q),
    all: async function* () {
      for await (const { body } of entries()) yield body;
    },
    entries,
    positions: async ({ after, limit }) =>
      after === undefined ? firstPositions.all(limit) : positionsAfter.all(after, limit),
    drop: async () => {
      db.exec(`DROP TABLE IF EXISTS ${table}`);
      findStatements.clear();
      manyStatements.clear();
      query.clear();
    },
  };
};
