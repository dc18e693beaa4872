/**
 * Accessibility (issue 15): the status-bar item, its details panel, the
 * connection test and the launch options form are reached and used by
 * keyboard, are named for screen readers, and axe finds no serious or
 * critical violation in them.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';

import { expect, expectKernelIdle, gatewaySettings, test } from './fixtures';
import { gateway } from './servers';

const GATEWAY_SPEC = gateway.spec('Python 3 (on the gateway)');

/**
 * The status-bar item, by its role and accessible name.
 */
const STATUS_NAME = /^Kernel Gateway: ui-gateway, connected, \d+ ms$/;

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;
type AxeViolation = AxeResults['violations'][number];

/**
 * A violation in words: rule, impact, help, then each element and why.
 */
function describeViolation(violation: AxeViolation): string {
  const nodes = violation.nodes.map(node =>
    [
      `    at ${node.target.join(' ')}`,
      `       ${node.html.slice(0, 200)}`,
      ...(node.failureSummary ?? '').split('\n').map(line => `       ${line}`)
    ].join('\n')
  );
  return [
    `  [${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})`,
    ...nodes
  ].join('\n');
}

/**
 * Let axe see JupyterLab's text. JupyterLab's body has `overflow: hidden`
 * and no height (its shell is positioned absolutely over the viewport): axe
 * takes every element in it for clipped away, so its color-contrast rule
 * would check nothing (dequelabs/axe-core#4539). A full-height body changes
 * nothing on screen.
 */
async function letAxeSeeTheShell(page: Page): Promise<void> {
  await page.evaluate(() => {
    if (!document.getElementById('a11y-test-body-height')) {
      const style = document.createElement('style');
      style.id = 'a11y-test-body-height';
      style.textContent = 'html, body { height: 100%; }';
      document.head.append(style);
    }
  });
}

/**
 * Run axe on `selector` only; expect no violation of impact serious or
 * critical (printed readably if there is one). Lesser ones are logged.
 */
async function expectAccessible(
  page: Page,
  selector: string,
  what: string
): Promise<void> {
  await expect(page.locator(selector).first()).toBeVisible();
  await letAxeSeeTheShell(page);
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  await test.info().attach(`axe ${what}`, {
    body: JSON.stringify(results.violations, null, 2),
    contentType: 'application/json'
  });
  const serious = results.violations.filter(
    violation =>
      violation.impact === 'serious' || violation.impact === 'critical'
  );
  const lesser = results.violations.filter(
    violation => !serious.includes(violation)
  );
  if (lesser.length > 0) {
    console.log(
      `axe, ${what}: lesser violations\n${lesser.map(describeViolation).join('\n')}`
    );
  }
  expect(
    serious.length,
    `axe, ${what}: serious or critical violations\n${serious
      .map(describeViolation)
      .join('\n')}\n`
  ).toBe(0);
  // The text was checked for contrast (see letAxeSeeTheShell).
  expect(
    results.passes.map(rule => rule.id),
    `axe, ${what}: rules passed`
  ).toContain('color-contrast');
}

/**
 * Press Tab from the first focusable element of the status bar until the
 * Kernel Gateway item has the focus (as a keyboard user would reach it).
 */
async function tabToStatusItem(page: Page, item: Locator): Promise<void> {
  await page.locator('.jp-StatusBar-Widget').evaluate(bar => {
    const first = bar.querySelector<HTMLElement>(
      'button, [href], input, select, [tabindex]:not([tabindex="-1"])'
    );
    if (!first) {
      throw new Error('Nothing focusable in the status bar');
    }
    first.focus();
  });
  for (let presses = 0; presses < 20; presses++) {
    if (await item.evaluate(node => node === document.activeElement)) {
      break;
    }
    await page.keyboard.press('Tab');
  }
  await expect(item).toBeFocused();
}

test.afterEach(async () => {
  await gateway.shutdownAll();
});

test('the status item: reached by Tab, named, opens its details with Enter and Space; focus comes back', async ({
  page
}) => {
  const item = page.getByRole('button', { name: STATUS_NAME });
  await expect(item).toBeVisible();
  // The name includes the words shown (WCAG "label in name").
  await expect(item).toHaveText(/^ui-gateway · connected · \d+ ms$/);
  await expect(item).toHaveAttribute('aria-haspopup', 'dialog');
  await expectAccessible(page, '.jp-KernelGateway-status', 'status item');

  await tabToStatusItem(page, item);
  await page.keyboard.press('Enter');
  const details = page.getByRole('dialog', { name: 'Kernel Gateway' });
  await expect(details).toBeVisible();
  await expect(details.locator('.jp-KernelGateway-details')).toBeVisible();
  // The focus moves into the dialog, on its default button.
  await expect(details.getByRole('button', { name: 'Close' })).toBeFocused();
  await expect(
    details.getByRole('button', { name: 'Test connection' })
  ).toBeVisible();
  await expect(
    details.getByRole('button', { name: 'Open settings' })
  ).toBeVisible();
  // Terms and their values, as a description list.
  await expect(details.getByRole('term').first()).toHaveText('Gateway');
  await expect(details.getByRole('definition').first()).toHaveText(
    `ui-gateway — ${gateway.url}`
  );
  await expectAccessible(page, '.jp-Dialog', 'details panel');

  // Escape closes it; the focus is back on the item.
  await page.keyboard.press('Escape');
  await expect(details).toHaveCount(0);
  await expect(item).toBeFocused();

  // Space opens it too; Enter on "Close" closes it.
  await page.keyboard.press('Space');
  await expect(details).toBeVisible();
  await expect(details.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(details).toHaveCount(0);
  await expect(item).toBeFocused();
});

test('the connection test, from the details by keyboard: named, its outcome announced, no serious axe violation', async ({
  page
}) => {
  const item = page.getByRole('button', { name: STATUS_NAME });
  await tabToStatusItem(page, item);
  await page.keyboard.press('Enter');
  const details = page.getByRole('dialog', { name: 'Kernel Gateway' });
  await expect(details.getByRole('button', { name: 'Close' })).toBeFocused();
  // Back from "Close" to "Test connection" (past "Add a gateway…" and
  // "Open settings").
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(
    details.getByRole('button', { name: 'Test connection' })
  ).toBeFocused();
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', {
    name: 'Test Kernel Gateway connection'
  });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  // The outcome is a live region (role "status"): read out when it comes.
  await expect(dialog.getByRole('status')).toHaveText('All steps passed.', {
    timeout: 60000
  });
  const steps = dialog.getByRole('list', {
    name: 'Steps of the connection test'
  });
  await expect(steps).toHaveAttribute('aria-busy', 'false');
  await expect(steps.getByRole('listitem')).toHaveCount(7);
  await expectAccessible(page, '.jp-Dialog', 'connection test');

  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(item).toBeFocused();
});

test('the connection test from the command palette, by keyboard', async ({
  page
}) => {
  await page.keyboard.press('Control+Shift+C');
  await page.keyboard.type('Test Kernel Gateway Connection');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', {
    name: 'Test Kernel Gateway connection'
  });
  await expect(dialog.getByRole('status')).toHaveText('All steps passed.', {
    timeout: 60000
  });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
});

test.describe('launch options on the main gateway', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: gateway.url,
      authToken: gateway.token,
      gatewayName: gateway.name,
      launchOptions: [
        {
          name: 'KERNEL_CPUS',
          title: 'CPUs',
          description: 'Processors for the kernel.',
          type: 'integer',
          default: 1,
          minimum: 1,
          maximum: 4
        },
        {
          name: 'KERNEL_IMAGE',
          title: 'Image',
          type: 'string',
          default: 'python:3.11',
          choices: ['python:3.11', 'python:3.12']
        }
      ]
    })
  });

  test('the form: labelled fields, errors announced, Enter refused while a value is not allowed, filled and sent by keyboard', async ({
    page
  }) => {
    await page.menu.clickMenuItem('File>New>Notebook');
    await page
      .locator('.jp-Dialog select')
      .selectOption({ label: GATEWAY_SPEC });
    await page.locator('.jp-Dialog .jp-mod-accept').click();

    const form = page.getByRole('dialog', { name: /^Kernel launch options/ });
    await expect(form).toBeVisible({ timeout: 15000 });
    const cpus = form.getByRole('spinbutton', { name: 'CPUs (KERNEL_CPUS)' });
    const image = form.getByRole('combobox', { name: 'Image (KERNEL_IMAGE)' });
    const start = form.getByRole('button', { name: 'Start kernel' });
    // The focus starts in the first field; hints describe the fields.
    await expect(cpus).toBeFocused();
    await expect(cpus).toHaveValue('1');
    await expect(cpus).toHaveAccessibleDescription(
      'Processors for the kernel. From 1 to 4.'
    );
    await expect(image).toHaveAccessibleDescription(
      'One of: python:3.11, python:3.12.'
    );
    await expectAccessible(page, '.jp-Dialog', 'launch options form');

    // A value not allowed: marked invalid, its message is an alert, and
    // Enter does not start the kernel (with the defaults) behind it.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('9');
    await expect(cpus).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByRole('alert')).toHaveText([
      'Must be at most 4.',
      ''
    ]);
    await expect(cpus).toHaveAccessibleDescription(
      'Processors for the kernel. From 1 to 4. Must be at most 4.'
    );
    await expect(start).toBeDisabled();
    await page.keyboard.press('Enter');
    await expect(form).toBeVisible();
    await expect(cpus).toBeFocused();
    await expectAccessible(page, '.jp-Dialog', 'launch options form, refused');

    // Corrected, the other field chosen with the arrow keys, sent by Enter.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await expect(cpus).toHaveAttribute('aria-invalid', 'false');
    await expect(start).toBeEnabled();
    await page.keyboard.press('Tab');
    await expect(image).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(image).toHaveValue('python:3.12');
    await page.keyboard.press('Enter');
    await expect(form).toHaveCount(0);
    await expectKernelIdle(page, { timeout: 30000 });
    await page.notebook.setCell(
      0,
      'code',
      "import os; print(os.environ['KERNEL_CPUS'], os.environ['KERNEL_IMAGE'])"
    );
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual([
      '2 python:3.12\n'
    ]);
  });
});
