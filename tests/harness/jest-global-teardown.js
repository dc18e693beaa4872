'use strict';

module.exports = async function globalTeardown() {
  const gateways =
    /** @type {import('./jest-global-setup').JestGlobals} */ (globalThis)
      .__KERNEL_GATEWAYS__ || [];
  await Promise.all(gateways.map(gateway => gateway.stop()));
};
