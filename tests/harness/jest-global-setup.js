/**
 * Start the real Kernel Gateways the Jest tests talk to:
 * - one that allows listing kernels (`list_kernels=True`),
 * - one with Kernel Gateway's default, which answers 403 to listing.
 * Their URLs and tokens reach the tests through environment variables.
 */
'use strict';

const { startGateway } = require('./gateway');

module.exports = async function globalSetup() {
  const [listing, noListing] = await Promise.all([
    startGateway({
      token: 'jest-token-listing',
      listKernels: true,
      origin: 'http://127.0.0.1:8888'
    }),
    startGateway({
      token: 'jest-token-private',
      listKernels: false,
      origin: 'http://127.0.0.1:8888'
    })
  ]);
  globalThis.__KERNEL_GATEWAYS__ = [listing, noListing];
  process.env.KG_LISTING_URL = listing.url;
  process.env.KG_LISTING_TOKEN = listing.token;
  process.env.KG_LISTING_CWD = listing.cwd;
  process.env.KG_PRIVATE_URL = noListing.url;
  process.env.KG_PRIVATE_TOKEN = noListing.token;
};
