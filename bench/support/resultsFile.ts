import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './processes.js';

/**
 * bench/results/<date>.md is the day's file of several benchmarks: `npm run bench` writes its
 * head and tables, `npm run bench:audit` its section "## Audit", `npm run bench:mass` its section
 * "## Mass refund". Each rewrites its own part and keeps the others'.
 */
export const dayResultsFile = (date = new Date().toISOString().slice(0, 10)) =>
  path.join(root, 'bench', 'results', `${date}.md`);

/** Writes a benchmark's own results file, bench/results/<name>-<date>.md; its path. */
export const writeOwnResults = (name: string, report: string): string => {
  const file = path.join(
    root,
    'bench',
    'results',
    `${name}-${new Date().toISOString().slice(0, 10)}.md`,
  );
  writeFileSync(file, report);
  return file;
};

/** The load average now, as `uptime` shows it (1, 5, 15 minutes). */
export const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');

/** The sections other benchmarks write, each rewriting only its own; in this order. */
const auditHeading = '## Audit';
const massRefundHeading = '## Mass refund';
const sectionHeadings = [auditHeading, massRefundHeading];

/** The file's section under `heading`, up to the next level-2 heading (empty when there is none). */
const sectionOf = (text: string, heading: string): string => {
  const start = text.split('\n').findIndex((line) => line.trim() === heading);
  if (start === -1) return '';
  const lines = text.split('\n').slice(start);
  const end = lines.findIndex((line, i) => i > 0 && line.startsWith('## '));
  return lines
    .slice(0, end === -1 ? undefined : end)
    .join('\n')
    .trimEnd();
};

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** Writes the service benchmark's part of the file, keeping the other benchmarks' sections. */
export const writeServiceResults = (file: string, text: string) => {
  const before = read(file);
  const kept = sectionHeadings.map((heading) => sectionOf(before, heading)).filter(Boolean);
  writeFileSync(file, `${[text.trimEnd(), ...kept].join('\n\n')}\n`);
};

/** A writer of the section under `heading` (`section` starts with it), in place of the one there. */
const sectionWriter = (heading: string) => (file: string, section: string) => {
  if (!section.startsWith(`${heading}\n`)) throw new Error(`not a "${heading}" section`);
  const before = read(file);
  const old = sectionOf(before, heading);
  const text = old
    ? before.replace(old, () => section.trimEnd())
    : `${before.trimEnd()}${before ? '\n\n' : ''}${section.trimEnd()}\n`;
  writeFileSync(file, text);
};

/** Writes the "## Audit" section (`npm run bench:audit`). */
export const writeAuditResults = sectionWriter(auditHeading);

/** Writes the "## Mass refund" section (`npm run bench:mass`). */
export const writeMassRefundResults = sectionWriter(massRefundHeading);
