/**
 * In a real browser, against a JupyterLab that requires a token and checks
 * XSRF (as in production): the local server's token, XSRF value and
 * cookies never reach the gateway, and the gateway token never appears in
 * a URL sent to the local server. A recording relay in front of the
 * gateway keeps every byte the gateway receives.
 */
import * as fs from 'fs';

import { expect, test as base } from '@playwright/test';

import { expectKernelIdle } from './fixtures';

import { ports, tokens, state } from './servers';

const LAB = `http://127.0.0.1:${ports.secureLab}`;
const test = base;

test('no local credential reaches the gateway; no gateway token reaches the local server', async ({
  page,
  context
}) => {
  const record = state('relay.bin');
  fs.writeFileSync(record, '');
  const localUrls: string[] = [];
  const localBodies: { url: string; method: string; body: string }[] = [];
  page.on('websocket', socket => {
    if (socket.url().startsWith(LAB.replace(/^http/, 'ws'))) {
      localUrls.push(socket.url());
    }
  });
  page.on('request', request => {
    if (request.url().startsWith(LAB)) {
      localUrls.push(request.url());
      localBodies.push({
        url: request.url(),
        method: request.method(),
        body: request.postData() ?? ''
      });
    }
  });

  await page.goto(`${LAB}/lab?token=${tokens.lab}`);
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });

  // The administrator preset the gateway's URL; the user enters the token
  // in the Settings Editor, which saves it on the local server.
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  await page.getByRole('menuitem', { name: 'Settings Editor' }).click();
  await page.locator('.jp-PluginList').getByText('Kernel Gateway').click();
  const tokenField = page.locator(
    '.jp-SettingsPanel input[label="Auth token"]'
  );
  await tokenField.fill(tokens.secureGateway);
  await tokenField.press('Tab');
  await expect(page.locator('.jp-KernelGateway-status')).toContainText(
    'connected',
    { timeout: 30000 }
  );
  // From here on, every gateway request must carry the token.
  const withoutToken = fs.readFileSync(record).length;
  await page.getByRole('button', { name: 'New Launcher' }).first().click();
  const card = page.locator(
    `.jp-LauncherCard[data-category="Notebook"][title="Python 3 (ipykernel) [localhost:${ports.relay}]"]`
  );
  await expect(card.locator('img')).toHaveAttribute(
    'src',
    new RegExp(`^http://localhost:${ports.relay}/kernelspecs/python3/`)
  );
  await card.click();
  // Type once the notebook has its kernel (typing while it is drawn is lost).
  await expectKernelIdle(page);
  const cell = page.locator('.jp-Notebook .jp-Cell .cm-content').first();
  await cell.click();
  await page.keyboard.type(
    "import os; print('ran on', os.environ['KERNEL_GATEWAY'])"
  );
  await page.keyboard.press('Shift+Enter');
  await expect(page.locator('.jp-OutputArea-output').first()).toHaveText(
    'ran on 1'
  );
  await page.keyboard.press('Control+s');
  // First save of an untitled notebook: JupyterLab offers to rename it.
  const rename = page.locator('.jp-Dialog', { hasText: 'Rename file' });
  await rename.getByRole('textbox').fill('secure.ipynb');
  await rename.locator('.jp-mod-accept').click();
  await expect(page.locator('.jp-mod-dirty')).toHaveCount(0);
  await page
    .locator(
      '.jp-NotebookPanel:visible jp-button[data-command="notebook:restart-kernel"]'
    )
    .click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await page.locator('.jp-Notebook .jp-Cell').first().click();
  await page.keyboard.press('Shift+Enter');
  await expect(page.locator('.jp-OutputArea-output').first()).toHaveText(
    'ran on 1'
  );
  await page.getByRole('menuitem', { name: 'Kernel' }).click();
  await page.getByRole('menuitem', { name: 'Shut Down Kernel' }).click();
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText('No Kernel');

  // The local server's credentials, as this browser holds them.
  const cookies = await context.cookies(LAB);
  const xsrf = cookies.find(c => c.name === '_xsrf');
  const login = cookies.find(c => c.name.startsWith('username-127-0-0-1'));
  expect(xsrf?.value).toBeTruthy();
  expect(login?.value).toBeTruthy();

  const seen = fs.readFileSync(record).toString('latin1');
  // The relay saw the notebook's traffic (the checks below are not vacuous).
  expect(seen).toMatch(/POST \/api\/kernels\?token=/);
  expect(seen).toMatch(
    /GET \/api\/kernels\/[\w-]+\/channels\?session_id=[\w-]+&token=/
  );
  expect(seen).toMatch(/POST \/api\/kernels\/[\w-]+\/restart\?token=/);

  expect(seen).not.toContain(tokens.lab);
  expect(seen).not.toContain(xsrf!.value);
  expect(seen).not.toContain(login!.value);
  expect(seen).not.toMatch(/^x-xsrftoken:/im);
  expect(seen).not.toMatch(/^authorization:/im);
  expect(seen).not.toMatch(/^cookie:.*(_xsrf|username-127-0-0-1)/im);

  // Every request to the gateway carried the gateway token in its URL.
  const requestLines =
    seen
      .slice(withoutToken)
      .match(/^(GET|POST|DELETE|OPTIONS) \S+ HTTP\/1\.1/gm) ?? [];
  expect(requestLines.length).toBeGreaterThan(3);
  for (const line of requestLines) {
    expect(line).toContain(`token=${tokens.secureGateway}`);
  }

  // The gateway token never travelled to the local server in a URL (its
  // logs record URLs), and in a body only when the user saved the settings.
  expect(localUrls.length).toBeGreaterThan(10);
  for (const url of localUrls) {
    expect(url).not.toContain(tokens.secureGateway);
  }
  // What the local server wrote in its log (at DEBUG: the URL of every
  // request it answered) does not hold the gateway token either.
  const log = fs.readFileSync(state('secure-lab.log'), 'utf-8');
  expect(log).toMatch(/GET \/api\/contents\?/);
  expect(log).not.toContain(tokens.secureGateway);
  const carriers = localBodies.filter(r =>
    r.body.includes(tokens.secureGateway)
  );
  expect(carriers.length).toBeGreaterThan(0);
  for (const request of carriers) {
    expect(`${request.method} ${new URL(request.url).pathname}`).toBe(
      'PUT /lab/api/settings/jupyterlab-kernel-gateway:plugin'
    );
  }
});
