/**
 * How the tests and the benchmark launch Debian's Chromium (never a
 * downloaded browser): running as root needs --no-sandbox, and the closed
 * network refuses Chromium's background calls.
 */
'use strict';

const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-gpu',
    '--disable-dev-shm-usage'
  ]
};

module.exports = { CHROMIUM_LAUNCH };
