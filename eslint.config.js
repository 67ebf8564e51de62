// @ts-check
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency rule of DESIGN.md §2: domain <- application <- (infrastructure, projections) <- main,
 * with the audit above the projections, the sandbox beside the WeChat client, and cli on top.
 * A layer may import its own folder and the layers listed for it; nothing else inside src/.
 * Domain and application may not import packages either (they stay free of I/O libraries).
 */
const layerRules = {
  domain: { layers: ['domain'], packages: [] },
  // zod validates what comes back from an event store and node:crypto makes event ids; no I/O.
  application: { layers: ['domain', 'application'], packages: ['zod', 'node:crypto'] },
  projections: { layers: ['domain', 'application', 'projections'], packages: ['zod'] },
  infrastructure: {
    layers: ['domain', 'application', 'projections', 'infrastructure'],
    packages: undefined,
  },
  // The audit replays the log through the projections' own functions, so it sits above them.
  audit: { layers: ['domain', 'application', 'projections', 'audit'], packages: ['zod'] },
  // The WeChat Pay simulator shares the wire codecs of the client it simulates.
  sandbox: { layers: ['infrastructure', 'sandbox'], packages: undefined },
  main: {
    layers: ['domain', 'application', 'projections', 'infrastructure', 'sandbox', 'main'],
    packages: undefined,
  },
  cli: {
    layers: [
      'domain',
      'application',
      'projections',
      'infrastructure',
      'audit',
      'sandbox',
      'main',
      'cli',
    ],
    packages: undefined,
  },
};

const srcRoot = path.resolve('src');

/** @param {string} file */
const layerOf = (file) => {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..')) return undefined;
  // The composition root, the service it composes and the module that runs it.
  const top = /^(main|service|startService)\.[jt]s$/.test(rel) ? 'main' : rel.split(path.sep)[0];
  return top && top in layerRules ? top : undefined;
};

/** @type {import('eslint').Rule.RuleModule} */
const dependencyRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    if (!layer) return {};
    const rule = layerRules[/** @type {keyof typeof layerRules} */ (layer)];
    /** @param {import('estree').Node & { source?: any }} node */
    const check = (node) => {
      const source =
        node.source && typeof node.source.value === 'string' ? node.source.value : undefined;
      if (!source) return;
      if (source.startsWith('.')) {
        const target = layerOf(path.resolve(path.dirname(file), source));
        if (!target || !rule.layers.includes(target)) {
          context.report({
            node,
            message: `${layer} must not import ${source} (layer ${target ?? 'outside src'})`,
          });
        }
      } else if (rule.packages && !rule.packages.includes(source)) {
        context.report({ node, message: `${layer} must not import the package ${source}` });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'bench/results/', 'bench/.work/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { layers: { rules: { 'dependency-rule': dependencyRule } } },
    rules: {
      'layers/dependency-rule': 'error',
      // Fastify plugins and handlers are async by contract, whether or not they await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-assertions': [
        'error',
        { assertionStyle: 'as', objectLiteralTypeAssertions: 'never' },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Response bodies are JSON of unknown shape; the assertions are what check them.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
