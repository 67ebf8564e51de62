import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  writeAuditResults,
  writeMassRefundResults,
  writeServiceResults,
} from '../../../bench/support/resultsFile.js';
import { tempDirPerTest } from '../../support/fixtures.js';

const service = (figure: string) => `# Service benchmark\n\n| figure |\n|---|\n| ${figure} |\n`;
const audit = (ratio: string) => `## Audit\n\n| audit / scan |\n|---:|\n| ${ratio} |\n`;
const mass = (drain: string) =>
  `## Mass refund\n\n| drain |\n|---:|\n| ${drain} |\n\n### What limits it\n\nthe load\n`;

describe("the day's results file", () => {
  const temp = tempDirPerTest();
  const file = () => path.join(temp.dir, '2026-11-30.md');

  it('given no file, when the audit writes its section, then the file is that section', () => {
    writeAuditResults(file(), audit('25%'));

    expect(readFileSync(file(), 'utf8')).toBe(audit('25%'));
  });

  it('given the service figures, when the audit writes its section, then it comes after them', () => {
    writeFileSync(file(), service('old'));

    writeAuditResults(file(), audit('25%'));

    expect(readFileSync(file(), 'utf8')).toBe(`${service('old')}\n${audit('25%')}`);
  });

  it('given an audit section between others, when the audit writes again, then only its section changes', () => {
    const after = '## Conditions of this run\n\nbusy\n';
    writeFileSync(file(), `${service('old')}\n${audit('25%')}\n${after}`);

    writeAuditResults(file(), audit('$& 61%'));

    expect(readFileSync(file(), 'utf8')).toBe(`${service('old')}\n${audit('$& 61%')}\n${after}`);
  });

  it('given an audit section, when the service writes its figures, then they replace the rest and the section stays', () => {
    writeFileSync(file(), `${service('old')}\n## What limits\n\nold\n\n${audit('25%')}`);

    writeServiceResults(file(), service('new'));

    expect(readFileSync(file(), 'utf8')).toBe(`${service('new')}\n${audit('25%')}`);
  });

  it('given audit and mass refund sections, when the service writes its figures, then they replace the rest and both sections stay', () => {
    writeFileSync(
      file(),
      `${service('old')}\n${mass('400 s')}\n## What limits\n\nold\n\n${audit('25%')}`,
    );

    writeServiceResults(file(), service('new'));

    expect(readFileSync(file(), 'utf8')).toBe(
      `${service('new')}\n${audit('25%')}\n${mass('400 s')}`,
    );
  });

  it('given the service figures and the audit, when the mass refund bench writes its section, then it comes after them', () => {
    writeFileSync(file(), `${service('old')}\n${audit('25%')}`);

    writeMassRefundResults(file(), mass('400 s'));

    expect(readFileSync(file(), 'utf8')).toBe(
      `${service('old')}\n${audit('25%')}\n${mass('400 s')}`,
    );
  });

  it('given a mass refund section before the audit, when the mass refund bench writes again, then only its section changes', () => {
    writeFileSync(file(), `${service('old')}\n${mass('400 s')}\n${audit('25%')}`);

    writeMassRefundResults(file(), mass('$& 380 s'));

    expect(readFileSync(file(), 'utf8')).toBe(
      `${service('old')}\n${mass('$& 380 s')}\n${audit('25%')}`,
    );
  });

  it('given no audit section, when the service writes its figures, then the file is those', () => {
    writeServiceResults(file(), service('new'));

    expect(existsSync(file())).toBe(true);
    expect(readFileSync(file(), 'utf8')).toBe(service('new'));
  });

  it('given a section that is not the audit, then the audit refuses to write it', () => {
    expect(() => writeAuditResults(file(), service('new'))).toThrow(/Audit/);
    expect(existsSync(file())).toBe(false);
  });

  it('given a section that is not the mass refund, then the mass refund bench refuses to write it', () => {
    expect(() => writeMassRefundResults(file(), audit('25%'))).toThrow(/Mass refund/);
    expect(existsSync(file())).toBe(false);
  });
});
