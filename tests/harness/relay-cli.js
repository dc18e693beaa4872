#!/usr/bin/env node
/**
 * Run the recording relay as a server process:
 *   node relay-cli.js --port 18892 --target 18891 --record relay.bin
 * Every byte clients send is appended to the record file, so a test can
 * check what reached the gateway behind it.
 */
'use strict';

const fs = require('fs');
const { startRelay } = require('./relay');

/**
 * The value after `--<name>` on the command line.
 *
 * @param {string} name
 * @returns {string | undefined}
 */
function option(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const port = Number(option('port'));
const target = Number(option('target'));
const record = option('record');
if (record === undefined) {
  throw new Error('relay-cli.js: --record FILE is required');
}
fs.writeFileSync(record, '');

startRelay({
  port,
  targetPort: target,
  onData: data => fs.appendFileSync(record, data)
}).then(relay => {
  console.log(
    `relay 127.0.0.1:${relay.port} -> 127.0.0.1:${target}, recording to ${record}`
  );
});

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
