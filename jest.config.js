const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyter/ydoc',
  '@jupyterlab/',
  '@microsoft/fast-colors',
  '@microsoft/fast-element',
  '@microsoft/fast-foundation',
  '@microsoft/fast-web-utilities',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  setupFiles: [
    ...baseConfig.setupFiles,
    '<rootDir>/tests/harness/jest-setup.js'
  ],
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts'],
  coverageReporters: ['text-summary'],
  reporters: ['default'],
  // Real Kernel Gateway processes, started once for all test files.
  globalSetup: '<rootDir>/tests/harness/jest-global-setup.js',
  globalTeardown: '<rootDir>/tests/harness/jest-global-teardown.js',
  // The page is the local JupyterLab at 127.0.0.1:8888.
  testEnvironmentOptions: { url: 'http://127.0.0.1:8888/lab' },
  testRegex: 'src/__tests__/.*\\.spec\\.ts$',
  testTimeout: 60000,
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
