/**
 * What a gateway sends, or a page URL says, cannot take over the page or
 * redirect the user's code.
 */
import type { Request } from '@playwright/test';

import { expect, test } from './fixtures';

import { gateway, ports, tokens } from './servers';

test.afterEach(async () => {
  await gateway.shutdownAll();
});

test('a hostile gateway cannot inject script or make the page load another origin', async ({
  page
}) => {
  const requests: Request[] = [];
  page.on('request', request => requests.push(request));
  // A real gateway cannot be made to send this: rewrite its answer.
  await page.route(/\/api\/kernelspecs/, async route => {
    const response = await route.fetch();
    const specs = await response.json();
    specs.kernelspecs.evil = {
      name: 'evil',
      spec: {
        display_name: '<img src=x onerror="window.__pwned=1">Evil',
        language: '<script>window.__pwned=2</script>',
        argv: ['python'],
        env: {},
        metadata: {}
      },
      resources: {
        'logo-64x64': 'http://attacker.invalid/logo.png',
        'logo-32x32': '//attacker.invalid/small.png',
        'logo-svg': 'javascript:window.__pwned=3'
      }
    };
    await route.fulfill({ response, json: specs });
  });
  await page.goto();

  // The name shows as text, markup and all.
  const card = page.locator('.jp-LauncherCard[data-category="Notebook"]', {
    hasText: '<img src=x onerror="window.__pwned=1">Evil'
  });
  await expect(card).toBeVisible();
  await page.menu.clickMenuItem('File>New>Notebook');
  await expect(
    page.locator('.jp-Dialog option', { hasText: '<img src=x' })
  ).toHaveCount(1);
  await page.locator('.jp-Dialog .jp-mod-reject').click();

  expect(
    await page.evaluate(() => (window as { __pwned?: number }).__pwned)
  ).toBeUndefined();
  expect(
    await page.locator('img[src*="attacker"], img[src^="javascript"]').count()
  ).toBe(0);
  expect(requests.filter(r => r.url().includes('attacker.invalid'))).toEqual(
    []
  );
});

test('nothing in the page URL changes which gateway receives the code', async ({
  page
}) => {
  const second = `http://localhost:${ports.secondGateway}/`;
  const params = new URLSearchParams({
    gatewayUrl: second,
    authToken: tokens.secondGateway,
    'jupyterlab-kernel-gateway:plugin': JSON.stringify({ gatewayUrl: second })
  });
  await page.goto(`?${params}#gatewayUrl=${encodeURIComponent(second)}`);
  await page.notebook.createNew('url.ipynb', { kernel: 'python3' });
  await page.notebook.setCell(
    0,
    'code',
    "import os; print(os.environ.get('KERNEL_GATEWAY_ID', 'first'))"
  );
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['first\n']);
  const response = await fetch(
    `http://127.0.0.1:${ports.secondGateway}/api/kernels?token=${tokens.secondGateway}`
  );
  expect(await response.json()).toEqual([]);
});
