/**
 * Global setup of the smoke runs (playwright.smoke.config.js): keep a copy
 * of docs/images, and put it back when the run ends (the function returned
 * is the global teardown). Two smoke tests take the README's screenshots;
 * those must come from the main run (newest JupyterLab), not from whichever
 * version ran last. The fault results of the main run are left alone too
 * (the main global setup deletes them).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const IMAGES = path.join(__dirname, '..', 'docs', 'images');

module.exports = async function smokeGlobalSetup() {
  const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-smoke-images-'));
  const existed = fs.existsSync(IMAGES);
  if (existed) {
    fs.cpSync(IMAGES, saved, { recursive: true });
  }
  return async function smokeGlobalTeardown() {
    if (existed) {
      for (const name of fs.readdirSync(IMAGES)) {
        if (!fs.existsSync(path.join(saved, name))) {
          fs.rmSync(path.join(IMAGES, name), { recursive: true, force: true });
        }
      }
      // Only what changed: files that are the same stay untouched.
      for (const name of fs.readdirSync(saved)) {
        const from = path.join(saved, name);
        const to = path.join(IMAGES, name);
        if (
          !fs.existsSync(to) ||
          !fs.readFileSync(from).equals(fs.readFileSync(to))
        ) {
          fs.copyFileSync(from, to);
        }
      }
    } else {
      fs.rmSync(IMAGES, { recursive: true, force: true });
    }
    fs.rmSync(saved, { recursive: true, force: true });
  };
};
