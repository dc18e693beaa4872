import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import jupyterPlugin from '@jupyter/eslint-plugin';

export default defineConfig([
  // Every .ts and .js file is linted, but what is generated or installed.
  globalIgnores([
    '**/node_modules',
    '.venv*',
    'lib',
    'dist',
    'build',
    'coverage',
    '.state',
    'jupyterlab_kernel_gateway/labextension',
    'ui-tests/.state',
    'ui-tests/test-results',
    'ui-tests/playwright-report'
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: {
      jupyter: jupyterPlugin
    }
  },
  jupyterPlugin.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // TypeScript: the extension (src/, with its Jest tests) and the UI
    // tests, each type-checked in its own program.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      globals: {
        ...globals.browser,
        ...globals.es2015,
        ...globals.node
      },
      parserOptions: {
        project: ['tsconfig.test.json', 'ui-tests/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
        sourceType: 'module'
      }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: {
            regex: '^I[A-Z]',
            match: true
          }
        }
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' }
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error'
    }
  },
  {
    // Node scripts: the test harness, the benchmark, scripts/, the
    // Playwright and Jest configuration (CommonJS, type-checked with
    // checkJs: tsconfig.node.json, ui-tests/tsconfig.json).
    files: ['**/*.js'],
    ignores: ['style/**'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'commonjs',
      globals: {
        ...globals.node
      }
    },
    rules: {
      // CommonJS modules load each other with require().
      '@typescript-eslint/no-require-imports': 'off'
    }
  },
  {
    // The benchmark also runs functions in the page (page.evaluate).
    files: ['benchmark/**/*.js'],
    languageOptions: {
      globals: {
        ...globals.browser
      }
    }
  },
  {
    // The stylesheet entry point of the extension, an ES module for the
    // browser.
    files: ['style/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        ...globals.browser
      }
    }
  },
  {
    // Playwright finds a fixture's dependencies in the object pattern of its
    // first parameter, which must be one even when it takes none (`{}`).
    files: ['ui-tests/**/*.ts'],
    rules: {
      'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }]
    }
  },
  {
    // Plain Playwright (a JupyterLab that requires a token and checks
    // XSRF, which Galata's fixtures cannot drive): its page has none of
    // Galata's helpers the galata-prefer-* rules point to.
    files: ['ui-tests/tests/security.spec.ts'],
    rules: {
      'jupyter/galata-prefer-menu-helper': 'off',
      'jupyter/galata-prefer-notebook-cell-helper': 'off'
    }
  },
  {
    // Tests and tools write what a user would type, or log for developers,
    // not translatable UI strings.
    files: [
      'src/__tests__/**',
      'ui-tests/**',
      'tests/**',
      'benchmark/**',
      'scripts/**'
    ],
    rules: { 'jupyter/no-untranslated-string': 'off' }
  },
  prettierRecommended
]);
