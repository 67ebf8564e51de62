import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { startTestService, type TestService } from '../../support/testService.js';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/alerts.yml');

const rulesSchema = z.strictObject({
  groups: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        rules: z
          .array(
            z.strictObject({
              alert: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
              expr: z.string().min(1),
              for: z
                .string()
                .regex(/^\d+[smhd]$/)
                .optional(),
              labels: z.strictObject({ severity: z.enum(['info', 'warning', 'critical']) }),
              annotations: z.strictObject({
                summary: z.string().min(1),
                description: z.string().min(1),
              }),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

/** PromQL words that are not metric names: aggregations, functions, operators, modifiers. */
const promqlWords = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'by',
  'without',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'bool',
  'offset',
  'rate',
  'increase',
  'min_over_time',
  'max_over_time',
  'avg_over_time',
]);

/**
 * The metric names an expression reads: its identifiers once strings, label matchers `{…}`,
 * ranges `[…]` and grouping labels `by (…)` are taken out, less PromQL's own words.
 */
const metricNamesIn = (expr: string): string[] => {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  const names = bare.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((name) => !promqlWords.has(name)))];
};

const rules = rulesSchema.parse(parse(readFileSync(file, 'utf8'))).groups.flatMap((g) => g.rules);

describe('docs/alerts.yml, the Prometheus alerting rules', () => {
  let s: TestService;
  let exported: Set<string>;
  beforeAll(async () => {
    s = await startTestService();
    const text = await (await fetch(`${s.url}/metrics`)).text();
    exported = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' || type === 'summary'
          ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
          : [name!],
      ),
    );
  });
  afterAll(() => s.stop());

  it('given the rules, then they cover NOTENOUGH, stuck refunds, refused notifications, a misconfigured gateway and projection lag', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'WechatRefundNotEnough',
        'WechatRefundsStuck',
        'WechatNotifyRefusedInBulk',
        'WechatGatewayMisconfigured',
        'RefundProjectionLagging',
      ]),
    );
    expect(rules.find((r) => r.alert === 'WechatRefundNotEnough')?.annotations.description).toMatch(
      /automatic withdrawal[\s\S]*REFUND_SOURCE_RECHARGE_FUNDS/,
    );
  });

  it.each(rules.map((rule) => [rule.alert, rule.expr] as const))(
    'given %s, then every metric its expression reads is one the running service exports',
    (_, expr) => {
      const names = metricNamesIn(expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${name} in ${expr}`).toContain(name);
    },
  );

  it('given an expression naming a metric the service does not export, then the check finds it', () => {
    expect(
      metricNamesIn(
        'sum by (code) (increase(wechat_refund_failure_total{stage="request"}[5m])) > 0',
      ),
    ).toEqual(['wechat_refund_failure_total']);
    expect(exported).not.toContain('wechat_refund_failure_total');
  });

  const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
  it.skipIf(!promtool)(
    'given promtool on PATH, then `promtool check rules` accepts the file',
    () => {
      const checked = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(checked.stdout + checked.stderr).toContain('SUCCESS');
      expect(checked.status).toBe(0);
    },
  );
});
