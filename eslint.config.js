// ESLint flat config (shared/STYLE.md §14). `npm run lint` runs it with --max-warnings 0.
import { builtinModules } from 'node:module'

import js from '@eslint/js'
import globals from 'globals'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

import { importDirection } from './scripts/eslint/import-direction.js'

const local = { rules: { 'import-direction': importDirection } }

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'coverage/**', '**/*.d.ts'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { local },
    rules: {
      'local/import-direction': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Fastify plugins and hooks are async by contract even when a body awaits nothing.
      '@typescript-eslint/require-await': 'off',
      // We match control characters on purpose: NUL guards and ANSI colour codes.
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportDefaultDeclaration',
          message: 'use a named export (config files excepted)',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules
            .filter((name) => !name.startsWith('_') && !name.startsWith('node:'))
            .map((name) => ({ name, message: `import 'node:${name}'` })),
        },
      ],
    },
  },
  {
    // Only config reads the environment; entry points hand it over (each such line says so).
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'read settings through src/config (pure loaders)',
        },
      ],
    },
  },
  {
    files: [
      'test/**/*.ts',
      'src/**/*.test.ts',
      'bench/**/*.ts',
      'scripts/**/*.js',
      'scripts/**/*.ts',
    ],
    rules: {
      // Tests and benches read JSON answers as `any` on purpose; the assertions are the check.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'no-console': 'off',
    },
  },
  {
    // Kysely's migrations take `Kysely<any>`: a migration must not depend on today's schema types.
    files: ['src/db/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Config files and vitest's reporter must default-export.
    files: ['*.config.ts', '*.config.js', 'web/vite.config.ts', 'scripts/summary-reporter.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
)
