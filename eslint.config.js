// ESLint (typescript-eslint) for the whole repository; Prettier owns the formatting. The import
// rules keep the layers apart (docs/architecture.md, "What may import what").
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Simulator code: the shared machinery and each upstream's simulator. */
const simulators = ['./src/simulators/**', './src/upstreams/*/simulator/**'];
/** The upstream layer: the framework and each upstream's client, wire types, mapping and adapter. */
const upstreamLayer = ['./src/upstreams/*.ts', './src/upstreams/*/!(index).ts', './src/upstreams/*/simulator/**'];
/** The GraphQL and HTTP side: the schema layer, each upstream's own GraphQL, the server. */
const graphqlLayer = ['./src/schema/**', './src/upstreams/*/graphql/**', './src/{server,context,app,operation-sharing,graphiql}.ts'];
/** Files that must know no GraphQL at all, packages included. */
const noGraphql = [
  'src/upstreams/*.ts',
  'src/upstreams/*/!(index).ts',
  'src/upstreams/*/simulator/**/*.ts',
  'src/simulators/**/*.ts',
  'src/shared/**/*.ts',
  'src/series/**/*.ts',
];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'test/generated/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a value left unused on purpose (a destructured field dropped, a callback's position).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `let [i, b] = …` where only one of them changes reads better than two declarations.
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: [
                './src/*.ts',
                './src/auth/**',
                './src/schema/**',
                './src/shared/**',
                './src/upstreams/*.ts',
                './src/upstreams/*/*.ts',
                './src/upstreams/*/graphql/**',
              ],
              from: simulators,
              message: 'Product code never imports simulator code: a module loads its simulator only when no base URL is set.',
            },
            {
              target: upstreamLayer,
              from: graphqlLayer,
              message:
                'The upstream layer knows no GraphQL: it throws plain typed errors (src/shared/errors.ts), the schema layer turns them into GraphQL.',
            },
            {
              target: './src/upstreams/*/index.ts',
              from: ['./src/schema/**', './src/{server,context,app,operation-sharing,graphiql}.ts'],
              message: 'A module object adds its own GraphQL (its graphql/ folder) and nothing else of the schema layer.',
            },
            {
              target: './src/schema/**',
              from: './src/upstreams/*/**',
              message:
                'The core schema reaches upstreams through the Upstream interface and capabilities, never one upstream: that one’s own GraphQL lives in its folder.',
            },
            {
              target: './src/series/**',
              from: ['./src/*.ts', './src/auth/**', './src/schema/**', './src/upstreams/**', './src/simulators/**'],
              message: 'src/series shapes plain series (buckets, M4): it imports src/shared only, no GraphQL, no upstream, no simulator.',
            },
            {
              target: './src/shared/**',
              from: ['./src/*.ts', './src/auth/**', './src/schema/**', './src/upstreams/**', './src/simulators/**'],
              message: 'src/shared holds what every layer may import; it imports none of them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: noGraphql,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(graphql|type-graphql|graphql-jit|@apollo/[^/]+)(/.*)?$', message: 'Upstream and shared code knows no GraphQL.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/schema/type-graphql.ts', ...noGraphql],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'type-graphql', message: 'Import it from src/schema/type-graphql.js, which loads the Reflect polyfill first.' }],
        },
      ],
    },
  },
  {
    // The example dashboard is a browser module: the browser's globals it uses, named here rather
    // than from the `globals` package for one page.
    files: ['examples/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'fetch', 'URLSearchParams', 'performance', 'addEventListener', 'setTimeout', 'clearTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
  {
    // Tests and benchmark scripts read JSON answers of any shape.
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
