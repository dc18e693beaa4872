/**
 * Preloaded (node --require) into JupyterLab's browser-test.js by
 * scripts/browser-check.py: Playwright's Chromium launches Debian's
 * Chromium with the tests' flags (tests/harness/chromium.js) instead of a
 * downloaded browser. browser-test.js itself is left as JupyterLab ships it.
 */
'use strict';

const path = require('path');
const { CHROMIUM_LAUNCH } = require(
  path.join(__dirname, '..', 'tests', 'harness', 'chromium')
);
// Resolved through NODE_PATH (ui-tests/node_modules), as browser-test.js's.
const playwright = require('playwright');

const launch = playwright.chromium.launch.bind(playwright.chromium);
playwright.chromium.launch = (options = {}) =>
  launch({
    ...options,
    ...CHROMIUM_LAUNCH,
    args: [...(options.args || []), ...CHROMIUM_LAUNCH.args]
  });
