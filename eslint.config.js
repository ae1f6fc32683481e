import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noMarkup = {
  selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
  message: 'No dangerouslySetInnerHTML: render data as text.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-cli/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/out/**', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-syntax': ['error', noMarkup],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error',
        { object: 'document', property: 'write', message: 'No document.write.' },
      ],
    },
  },
  {
    files: ['src/**/*.tsx', 'src/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    // The kernel model is pure: no React, no zustand, no d3, no DOM, nothing from the app.
    files: ['src/model/**/*.ts'],
    ignores: ['src/model/**/*.test.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-*', 'react/*', 'zustand', 'zustand/*', 'd3', 'd3-*', 'fflate'], message: 'src/model is pure TypeScript: no UI or app libraries.' },
          { group: ['**/store/**', '**/views/**', '**/share/**', '**/snapshot/**', '**/cli/**'], message: 'src/model may import nothing from the app.' },
          { group: ['node:*', 'fs', 'path'], message: 'src/model runs in the browser too: no node modules.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'history', 'location'],
    },
  },
  {
    // The derivation layer (timeline, view models, scenario editing) is framework-free: the store, the
    // CLI and the benches import it; it imports only the model.
    files: ['src/derive/**/*.ts'],
    ignores: ['src/derive/**/*.test.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-*', 'react/*', 'zustand', 'zustand/*', 'd3', 'd3-*'], message: 'src/derive is framework-free: no UI or state libraries.' },
          { group: ['**/store/**', '**/views/**', '**/share/**', '**/cli/**'], message: 'src/derive imports only the model.' },
          { group: ['node:*', 'fs', 'path'], message: 'src/derive runs in the browser too: no node modules.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'history', 'location'],
    },
  },
  {
    // The link codec may read the model (and the timeline, to check a link replays), never the UI.
    files: ['src/share/**/*.ts'],
    ignores: ['src/share/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-*', 'zustand', 'zustand/*', 'd3', 'd3-*'], message: 'src/share is pure.' },
          { group: ['**/store/**', '**/views/**', '**/cli/**'], message: 'src/share may import only the model and the derivation layer.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'history', 'location'],
    },
  },
  {
    // The snapshot codec (captured pagemap files) may read the model, never the UI or node.
    files: ['src/snapshot/**/*.ts'],
    ignores: ['src/snapshot/**/*.test.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-*', 'zustand', 'zustand/*', 'd3', 'd3-*', 'fflate'], message: 'src/snapshot is pure.' },
          { group: ['**/store/**', '**/views/**', '**/cli/**', '**/share/**'], message: 'src/snapshot may import only the model.' },
          { group: ['node:*', 'fs', 'path'], message: 'src/snapshot runs in the browser too: no node modules.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'history', 'location'],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    ignores: ['src/store/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/views/**', 'react-dom', 'd3', 'd3-*'], message: 'the store does not import views.' }],
      }],
    },
  },
  {
    // The address bar has one writer: src/store/url.ts.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/store/url.ts', 'src/**/*.test.ts', 'src/**/*.test.tsx'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'document', property: 'write', message: 'No document.write.' },
        { object: 'history', property: 'replaceState', message: 'Only src/store/url.ts writes the address bar.' },
        { object: 'history', property: 'pushState', message: 'Only src/store/url.ts writes the address bar.' },
        { object: 'window', property: 'history', message: 'Only src/store/url.ts writes the address bar.' },
      ],
    },
  },
);
