/**
 * Before the UI tests: forget the fault results of an earlier run.
 */
const fs = require('fs');
const path = require('path');

module.exports = async function globalSetup() {
  fs.rmSync(path.join(__dirname, '..', '.state', 'fault-results.jsonl'), {
    force: true
  });
};
