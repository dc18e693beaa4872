#!/usr/bin/env node
/**
 * Write build/core-package.json: the JupyterLab core package description the
 * extension is built against, with the versions of the packages this
 * extension uses lowered to the lower bounds of its own package.json ranges.
 *
 * Why: jupyter-builder takes each shared singleton's required version from
 * the core package file, by default the newest JupyterLab (@jupyterlab/
 * core-meta, 4.6.x). The bundle would then require `@jupyterlab/services
 * ^7.6.x`, and JupyterLab 4.4 and 4.5 (services 7.4, 7.5) would log
 * "Unsatisfied version" warnings although the extension supports them.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
/** @type {{dependencies: Record<string, string>}} */
const own = require(path.join(root, 'package.json'));
const coreFile = require.resolve('@jupyterlab/core-meta/core.package.json', {
  paths: [require.resolve('@jupyter/builder', { paths: [root] })]
});
/**
 * @type {{dependencies?: Record<string, string>,
 *   resolutions?: Record<string, string>}}
 */
const core = JSON.parse(fs.readFileSync(coreFile, 'utf-8'));

/**
 * `~x.y.z` from the first version in a semver range (`^4.4.0` → `~4.4.0`).
 *
 * @param {string} range
 * @returns {string}
 */
function lowerBound(range) {
  const match = /(\d+\.\d+\.\d+)/.exec(range);
  if (!match) {
    throw new Error(`Cannot read a lower bound from "${range}"`);
  }
  return `~${match[1]}`;
}

for (const [name, range] of Object.entries(own.dependencies)) {
  for (const table of [core.dependencies, core.resolutions]) {
    if (table && table[name]) {
      table[name] = lowerBound(range);
    }
  }
}

fs.mkdirSync(path.join(root, 'build'), { recursive: true });
const target = path.join(root, 'build', 'core-package.json');
fs.writeFileSync(target, JSON.stringify(core, null, 2));
