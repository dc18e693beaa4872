#!/usr/bin/env node
/**
 * Write docs/faults.md from the fault matrix's results
 * (ui-tests/.state/fault-results.jsonl, written by ui-tests/tests/faults.spec.ts):
 * for each fault, what the user sees, how fast, how fast work resumes, and
 * how many cells, outputs or edits were lost (must be 0).
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

/**
 * One line of the results: what `record()` of ui-tests/tests/faultkit.ts
 * writes (its `IFaultRecord`).
 *
 * @typedef {object} FaultRecord
 * @property {'enterprise'} [gateway] Kernel Gateway when absent.
 * @property {number} row
 * @property {string} fault
 * @property {string} told what the user was shown.
 * @property {number | null} toldMs null when there is nothing to tell.
 * @property {number} [sinceOpenMs] from opening the page, for faults present
 *   then.
 * @property {number} [recoveryMs]
 * @property {boolean} [silent]
 * @property {string[]} [checked]
 * @property {number} cellsLost
 */

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'ui-tests', '.state', 'fault-results.jsonl');
const target = path.join(root, 'docs', 'faults.md');

if (!fs.existsSync(source)) {
  console.error(`No fault results at ${source}: run the UI tests first.`);
  process.exit(1);
}

const rows = fs
  .readFileSync(source, 'utf-8')
  .split('\n')
  .filter(line => line.trim() !== '')
  .map(line => /** @type {FaultRecord} */ (JSON.parse(line)))
  .sort((a, b) => a.row - b.row || a.fault.localeCompare(b.fault));

/** @param {number | null | undefined} ms */
const seconds = ms =>
  ms === undefined || ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`;
/** @param {FaultRecord} r */
const told = r =>
  r.toldMs === null
    ? '— (nothing to tell)'
    : r.sinceOpenMs === undefined
      ? seconds(r.toldMs)
      : `${seconds(r.toldMs)} (${seconds(r.sinceOpenMs)} from opening the page)`;

// Every row of the matrix must have run: a partial run (e.g. --grep) must
// not leave a partial table behind. Rows 1-15 on Kernel Gateway, 1-8 on
// Enterprise Gateway.
const kg = rows.filter(r => r.gateway !== 'enterprise');
const eg = rows.filter(r => r.gateway === 'enterprise');
/**
 * The rows 1..count without a result in `list` (rows in `twice` need two).
 *
 * @param {FaultRecord[]} list
 * @param {number} count
 * @param {number[]} [twice]
 */
const missing = (list, count, twice = []) =>
  Array.from({ length: count }, (_, i) => i + 1).filter(
    row =>
      list.filter(r => r.row === row).length < (twice.includes(row) ? 2 : 1)
  );
const missingRows = [
  ...missing(kg, 15, [11]),
  ...missing(eg, 8).map(row => `E${row}`)
];
if (missingRows.length > 0) {
  console.error(
    `Fault rows without a result: ${missingRows.join(', ')}; docs/faults.md left unchanged.`
  );
  process.exit(1);
}
/** @param {string} text */
const cell = text => String(text).replace(/\|/g, '\\|');

const lines = [
  '# Faults: what the user sees, and what is lost',
  '',
  'Produced by `scripts/fault-table.js` from the fault matrix of the UI tests',
  '(`ui-tests/tests/faults.spec.ts`), which injects each fault into real',
  'servers (Jupyter Kernel Gateway processes, a TCP relay between browser and',
  'gateway) and drives Debian Chromium. Do not edit by hand.',
  '',
  `Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} CPU(s), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}.`,
  '',
  '"What the user sees": the message as read from the screen. "Told after": from',
  'the fault to the message on screen (for faults present when the page opens,',
  'from JupyterLab being up). "Recovery": from the end of the fault (gateway or',
  'network back, setting fixed) to working again. "Checked": what each row did',
  'to the notebook around the fault, beyond its cells: an edit typed before the',
  'fault and left unsaved, a cell written and saved while the fault lasted (the',
  'local server\'s file read back at once). "Lost": cells, outputs and edits',
  'missing from the notebook saved afterwards.',
  '',
  '## Jupyter Kernel Gateway',
  '',
  ...table(kg, ''),
  '## Enterprise Gateway',
  '',
  'The rows that apply to Jupyter Enterprise Gateway 3.3.0 (`ui-tests/tests/enterprise.spec.ts`:',
  'local process proxy, and a kernelspec launched like a remote kernel; listing kernels off;',
  'culling by `RemoteMappingKernelManager.cull_idle_timeout`).',
  '',
  ...table(eg, 'E'),
  ''
];

/**
 * The Markdown table of `list`, its rows numbered `<prefix><row>`.
 *
 * @param {FaultRecord[]} list
 * @param {string} prefix
 * @returns {string[]}
 */
function table(list, prefix) {
  return [
    '| # | Fault | What the user sees | Told after | Recovery | Checked | Lost |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...list.map(
      r =>
        `| ${prefix}${r.row} | ${cell(r.fault)} | ${cell(r.told)} | ${told(r)} | ${seconds(r.recoveryMs)} | ${cell((r.checked ?? []).join(', '))} | ${r.cellsLost} |`
    ),
    ''
  ];
}

fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, lines.join('\n'));
const lost = rows.reduce((sum, r) => sum + r.cellsLost, 0);
console.log(
  `Wrote ${path.relative(root, target)}: ${rows.length} faults, ${lost} cells lost.`
);
if (lost > 0) {
  process.exit(1);
}
