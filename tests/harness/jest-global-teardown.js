'use strict';

module.exports = async function globalTeardown() {
  const gateways = globalThis.__KERNEL_GATEWAYS__ || [];
  await Promise.all(gateways.map(gateway => gateway.stop()));
};
