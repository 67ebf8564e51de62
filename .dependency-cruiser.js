// @ts-check
/**
 * The dependency rule of DESIGN.md §2, on the whole import graph of src/, bench/ and test/
 * (type-only imports included): domain <- application <- (projections, infrastructure) <-
 * composition <- main, the audit above the projections, the sandbox beside the WeChat client it
 * simulates, cli on top.
 * Each layer lists what it may import (its own folder first); `npm run lint` runs it.
 */

/** The layer `main`: the composition root, the service it composes and the module that runs it. */
const compositionRoot = '^src/(main|service|startService)\\.ts$';

/** `^src/(a|b)/` */
const folders = (/** @type {string[]} */ names) => `^src/(${names.join('|')})/`;

/**
 * A layer that may import only the listed layers and, when `packages` is given, only those
 * packages (Node's own modules by their bare name: `crypto`).
 * @param {string} layer
 * @param {string[]} layers
 * @param {string[] | undefined} packages
 * @returns {import('dependency-cruiser').IForbiddenRuleType}
 */
const layerRule = (layer, layers, packages, comment = '') => ({
  name: `${layer}-imports-only-${layers.join('-')}`,
  comment,
  severity: 'error',
  from: { path: layer === 'main' ? compositionRoot : folders([layer]) },
  to: packages
    ? {
        pathNot: [
          folders(layers),
          ...(layers.includes('main') ? [compositionRoot] : []),
          ...packages.map((name) => `^(node_modules/${name}/|${name}$)`),
        ],
      }
    : {
        path: '^src/',
        pathNot: [folders(layers), ...(layers.includes('main') ? [compositionRoot] : [])],
      },
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    layerRule('domain', ['domain'], [], 'The domain is pure: no other layer, no package.'),
    layerRule(
      'application',
      ['domain', 'application'],
      ['zod', 'crypto'],
      'Use cases and ports import no adapter and no I/O library: zod validates what stores ' +
        'return, node:crypto makes event ids.',
    ),
    layerRule('projections', ['domain', 'application', 'projections'], ['zod']),
    layerRule(
      'audit',
      ['domain', 'application', 'projections', 'audit'],
      ['zod'],
      "The audit replays the log through the projections' own functions.",
    ),
    layerRule(
      'infrastructure',
      ['domain', 'application', 'projections', 'infrastructure'],
      undefined,
    ),
    layerRule(
      'sandbox',
      ['infrastructure', 'sandbox'],
      undefined,
      'The WeChat Pay simulator shares the wire codecs of the client it simulates, nothing else.',
    ),
    layerRule(
      'composition',
      ['domain', 'application', 'projections', 'infrastructure', 'sandbox', 'composition'],
      undefined,
      'The wiring of the service, a group a module: main.ts puts the groups together.',
    ),
    layerRule(
      'main',
      ['domain', 'application', 'projections', 'infrastructure', 'sandbox', 'composition', 'main'],
      undefined,
    ),
    {
      name: 'only-main-and-cli-import-composition',
      comment:
        "The composition modules are parts of the composition root, nobody else's (but a benchmark's, measuring a part as the service composes it).",
      severity: 'error',
      from: { pathNot: [compositionRoot, '^src/(cli|composition)/', '^bench/'] },
      to: { path: '^src/composition/' },
    },
    {
      name: 'src-imports-no-tests',
      comment: 'What ships never depends on tests or benchmarks.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'bench-imports-no-tests',
      comment: 'Benchmarks measure the product; they keep their own support code.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    {
      name: 'src-imports-no-dev-dependency',
      comment: 'npm ci --omit=dev must give a working service (type-only imports are erased).',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve would hide part of the graph.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|bench/results|bench/\\.work|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
