import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../src/application/compareCodePoints.js';

describe('compareCodePoints', () => {
  const names = [
    'b',
    'a',
    'ab',
    '',
    'A',
    'Z9',
    'é',
    '\uFF01',
    '\u{1F600}',
    'a\u{1F600}',
    'a\uFFFD',
    '退款',
  ];

  it('given strings, then they sort as SQLite compares them (BINARY, byte by byte in UTF-8)', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (s TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (const name of names) insert.run(name);
    const sqlite = db.prepare('SELECT s FROM t ORDER BY s').pluck().all();
    db.close();

    expect([...names].sort(compareCodePoints)).toEqual(sqlite);
  });

  it('given a character above U+FFFF and one in U+E000–U+FFFF, then the first goes last, unlike <', () => {
    expect(compareCodePoints('\u{1F600}', '\uFF01')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFF01').toBe(true);
    expect(compareCodePoints('x', 'x')).toBe(0);
    expect(compareCodePoints('x', 'xy')).toBeLessThan(0);
  });
});
