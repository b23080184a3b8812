// ESLint flat config (`npm run lint`, part of `npm test`): ESLint's and typescript-eslint's
// recommended rules, syntax only (tsc --noEmit does the type-checking), tuned to how this code is written.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a deliberately unused parameter, binding or destructured slot.
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_',
      }],
      // Key validation, JSON escaping and SQL literal escaping must match control characters on purpose.
      'no-control-regex': 'off',
      // `let x; cleanup(() => x?.stop()); ... x = start()`: a closure read before the one assignment needs `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
);
