import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './processes.js';

/**
 * bench/results/<date>.md is the day's file of several benchmarks: `npm run bench` writes its
 * head and tables, `npm run bench:audit` its section "## Audit". Each rewrites its own part and
 * keeps the others'.
 */
export const dayResultsFile = (date = new Date().toISOString().slice(0, 10)) =>
  path.join(root, 'bench', 'results', `${date}.md`);

/** The load average now, as `uptime` shows it (1, 5, 15 minutes). */
export const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');

const auditHeading = '## Audit';

/** The file's "## Audit" section, up to the next level-2 heading (empty when there is none). */
const auditSectionOf = (text: string): string => {
  const start = text.split('\n').findIndex((line) => line.trim() === auditHeading);
  if (start === -1) return '';
  const lines = text.split('\n').slice(start);
  const end = lines.findIndex((line, i) => i > 0 && line.startsWith('## '));
  return lines
    .slice(0, end === -1 ? undefined : end)
    .join('\n')
    .trimEnd();
};

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** Writes the service benchmark's part of the file, keeping its "## Audit" section. */
export const writeServiceResults = (file: string, text: string) => {
  const audit = auditSectionOf(read(file));
  writeFileSync(file, `${text.trimEnd()}\n${audit ? `\n${audit}\n` : ''}`);
};

/** Writes the "## Audit" section (`section` starts with its heading), in place of the one there. */
export const writeAuditResults = (file: string, section: string) => {
  if (!section.startsWith(`${auditHeading}\n`)) throw new Error(`not a "${auditHeading}" section`);
  const before = read(file);
  const old = auditSectionOf(before);
  const text = old
    ? before.replace(old, () => section.trimEnd())
    : `${before.trimEnd()}${before ? '\n\n' : ''}${section.trimEnd()}\n`;
  writeFileSync(file, text);
};
