import { expect, test } from './fixtures';

test('explore', async ({ page }) => {
  const logs: string[] = [];
  page.on('console', m => logs.push(`${m.type()}: ${m.text()}`));
  const requests: string[] = [];
  page.on('request', r => requests.push(`${r.method()} ${r.url()}`));
  await page.screenshot({ path: '/tmp/explore-1.png' });
  await page.notebook.createNew('explore.ipynb');
  await page.screenshot({ path: '/tmp/explore-2.png' });
  await page.notebook.setCell(0, 'code', "import os; os.environ.get('KERNEL_GATEWAY')");
  await page.notebook.runCell(0);
  await page.screenshot({ path: '/tmp/explore-3.png' });
  const out = await page.notebook.getCellTextOutput(0);
  console.log('OUTPUT', out);
  console.log(logs.filter(l => !l.startsWith('debug')).join('\n'));
  console.log(requests.filter(r => /api\/(kernels|sessions|kernelspecs)/.test(r)).join('\n'));
});
