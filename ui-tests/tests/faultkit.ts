/**
 * The fault harness of the UI tests: a real Kernel Gateway the tests can
 * stop, start and restart, behind a TCP relay they can cut and restore (a
 * network loss without killing the gateway) or make answer slowly, and a record of each fault's
 * outcome for the figures table (docs/faults.md).
 */
import * as fs from 'fs';
import * as path from 'path';

import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

import type { EnterpriseGateway } from '../../tests/harness/enterprise';
import { startEnterpriseGateway } from '../../tests/harness/enterprise';
import type { Gateway } from '../../tests/harness/gateway';
import { startGateway } from '../../tests/harness/gateway';
import type { Relay, RelayedRequest } from '../../tests/harness/relay';
import { startRelay } from '../../tests/harness/relay';
import { gatewaySettings } from './fixtures';
import { ports, STATE, LAB_ROOT } from './servers';

/**
 * A gateway on a fixed port, reached through a relay on another port: a
 * Jupyter Kernel Gateway, or an Enterprise Gateway (from .venv-eg).
 */
export class FaultyGateway {
  constructor(
    readonly options: {
      port: number;
      relayPort: number;
      token: string;
      /**
       * Enterprise Gateway instead of Kernel Gateway (listing kernels off,
       * as by default; its own options below).
       */
      enterprise?: {
        /**
         * Where remote kernels report back (a fixed port).
         */
        responsePort: number;
        cullIdleTimeout?: number;
        remoteKernel?: boolean;
      };
      /**
       * The origin the gateway allows (CORS); this page's by default.
       */
      origin?: string;
      /**
       * Whether the gateway lists kernels (`GET /api/kernels`); Kernel
       * Gateway's default is no (403). Yes unless set.
       */
      listKernels?: boolean;
      extraArgs?: string[];
      env?: Record<string, string>;
    }
  ) {}

  /**
   * The URL the extension uses (through the relay).
   */
  get url(): string {
    return `http://localhost:${this.options.relayPort}/`;
  }

  get token(): string {
    return this.options.token;
  }

  async start(): Promise<void> {
    if (!this._relay) {
      this._relay = await startRelay({
        port: this.options.relayPort,
        targetPort: this.options.port
      });
    }
    if (!this._process) {
      const common = {
        port: this.options.port,
        token: this.options.token,
        origin: this.options.origin ?? `http://127.0.0.1:${ports.lab}`,
        extraArgs: this.options.extraArgs,
        env: this.options.env,
        logFile: path.join(STATE, `gateway-${this.options.port}.log`)
      };
      const enterprise = this.options.enterprise;
      this._process = enterprise
        ? await startEnterpriseGateway({
            ...common,
            listKernels: this.options.listKernels ?? false,
            responsePort: enterprise.responsePort,
            remoteKernel: enterprise.remoteKernel,
            cullIdleTimeout: enterprise.cullIdleTimeout,
            cullInterval: 1,
            cullConnected: true
          })
        : await startGateway({
            ...common,
            listKernels: this.options.listKernels ?? true
          });
    }
  }

  /**
   * Kill the gateway (its kernels die with it).
   */
  async stop(): Promise<void> {
    await this._process?.stop();
    this._process = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Restart the gateway with other command-line arguments or environment
   * (as an administrator who fixes its configuration).
   */
  async reconfigure(changes: {
    origin?: string;
    listKernels?: boolean;
    extraArgs?: string[];
    env?: Record<string, string>;
    enterprise?: FaultyGateway['options']['enterprise'];
  }): Promise<void> {
    await this.stop();
    Object.assign(this.options, changes);
    await this.start();
  }

  /**
   * Cut the network between the browser and the gateway.
   */
  cut(): void {
    this._relay?.cut();
  }

  restore(): void {
    this._relay?.restore();
  }

  /**
   * Make the network silent: nothing passes either way, nothing is closed
   * (packets dropped by a VPN, Wi-Fi or an expired NAT entry).
   */
  partition(): void {
    this._relay?.partition();
  }

  /**
   * End the silence: what was sent meanwhile arrives late, in order.
   */
  heal(): void {
    this._relay?.heal();
  }

  /**
   * Hold the gateway's answers (a gateway that answers slowly).
   */
  hold(): void {
    this._relay?.hold();
  }

  release(): void {
    this._relay?.release();
  }

  /**
   * The HTTP requests that reached the gateway through the relay so far.
   */
  requests(): RelayedRequest[] {
    return this._relay?.requests() ?? [];
  }

  /**
   * Whether the gateway has the kernel `id` (asked by id: it may list none).
   */
  async has(id: string): Promise<boolean> {
    const response = await fetch(
      `http://127.0.0.1:${this.options.port}/api/kernels/${id}?token=${this.options.token}`
    );
    return response.ok;
  }

  async kernels(): Promise<{ id: string; name: string }[]> {
    const response = await fetch(
      `http://127.0.0.1:${this.options.port}/api/kernels?token=${this.options.token}`
    );
    return response.json();
  }

  async close(): Promise<void> {
    await this.stop();
    await this._relay?.close();
    this._relay = null;
  }

  private _process: Gateway | EnterpriseGateway | null = null;
  private _relay: Relay | null = null;
}

/**
 * One row of the fault table.
 */
export interface IFaultRecord {
  /**
   * The gateway of the row: Kernel Gateway (default) or Enterprise Gateway.
   */
  gateway?: 'enterprise';
  row: number;
  fault: string;
  /**
   * What the user was shown, as read from the screen.
   */
  told: string;
  /**
   * Milliseconds from the fault to the user being told; `null` when there
   * is nothing to tell (the fault is invisible to the user's work).
   */
  toldMs: number | null;
  /**
   * For faults present when the page opens: milliseconds from opening the
   * page to the user being told (`toldMs` counts from JupyterLab being up).
   */
  sinceOpenMs?: number;
  /**
   * Milliseconds from the end of the fault (gateway or network back, or
   * the fix applied) to working again; undefined when not applicable.
   */
  recoveryMs?: number;
  /**
   * A silent network (nothing passes, nothing closes): the browser cannot
   * see it, the extension notices missing answers, within 10 s.
   */
  silent?: boolean;
  /**
   * What was checked in the notebook saved afterwards.
   */
  checked: string[];
  /**
   * Cells, outputs or edits missing from the saved notebook afterwards.
   */
  cellsLost: number;
}

export const FAULT_RESULTS = path.join(STATE, 'fault-results.jsonl');

/**
 * Record a row's outcome for docs/faults.md.
 */
export function record(result: IFaultRecord): void {
  fs.mkdirSync(STATE, { recursive: true });
  fs.appendFileSync(FAULT_RESULTS, JSON.stringify(result) + '\n');
  // Nothing may be lost, and the user is told within 5 s.
  expect(result.cellsLost).toBe(0);
  if (result.toldMs !== null) {
    expect(result.toldMs).toBeLessThan(result.silent ? 10000 : 5000);
  }
}

/**
 * Milliseconds since `start`.
 */
export function since(start: number): number {
  return Date.now() - start;
}

/**
 * The words of a notification or dialog as the user sees them (without
 * its buttons).
 */
export async function shownText(locator: Locator): Promise<string> {
  const message = locator.locator('.jp-toast-message, .jp-Dialog-body');
  const text =
    (await message.count()) > 0
      ? await message.first().innerText()
      : await locator.innerText();
  return text.replace(/\s+/g, ' ').trim();
}

interface ISavedNotebook {
  cells: {
    source: string | string[];
    outputs?: { text?: string | string[] }[];
  }[];
}

function joined(value: string | string[] | undefined): string {
  return ([] as string[]).concat(value ?? []).join('');
}

/**
 * The user's work on one notebook through a fault, and the check that none
 * of it is lost: an edit typed before the fault and left unsaved, a cell
 * written and saved while the fault lasts (read back from the local
 * server's disk at once), the cells the test ran and their output.
 */
export class NotebookWork {
  constructor(
    readonly page: IJupyterLabPageFixture,
    readonly tmpPath: string,
    readonly name: string,
    readonly row: number | string
  ) {}

  /**
   * The notebook file on the local server's disk.
   */
  get file(): string {
    return path.join(LAB_ROOT, this.tmpPath, this.name);
  }

  /**
   * Type a markdown cell and leave it unsaved.
   */
  async typeUnsaved(): Promise<void> {
    await this.append(`Row ${this.row}: typed before the fault, not saved`);
    this.checked.add('an unsaved edit');
  }

  /**
   * While the fault lasts: the notebook is editable and saves to the local
   * server (the file on disk holds everything so far, at once).
   */
  async writeAndSave(): Promise<void> {
    await this.append(`Row ${this.row}: written and saved during the fault`);
    await this.page.notebook.save();
    expect(this.missing()).toEqual([]);
    this.checked.add('a cell saved during the fault');
  }

  /**
   * Append a code cell and run it; the saved notebook must hold it.
   *
   * @returns the cell's text output.
   */
  async run(code: string): Promise<string[] | null> {
    await this.page.notebook.addCell('code', code);
    const last = (await this.page.notebook.getCellCount()) - 1;
    await this.page.notebook.runCell(last);
    this.sources.push(code);
    return this.page.notebook.getCellTextOutput(last);
  }

  /**
   * A cell source the saved notebook must hold.
   */
  expectSource(source: string): void {
    this.sources.push(source);
  }

  /**
   * Output lines cell `index` of the saved notebook must hold.
   */
  expectOutput(index: number, lines: string[]): void {
    this.outputs.push({ index, lines });
    this.checked.add('the output');
  }

  /**
   * Note something else that was checked (for the table).
   */
  note(what: string): void {
    this.checked.add(what);
  }

  /**
   * Save, then count what is missing from the saved file.
   */
  async saveAndCountLost(): Promise<number> {
    await this.page.notebook.save();
    const missing = this.missing();
    if (missing.length > 0) {
      console.log(`Missing from the saved ${this.name}:`, missing);
    }
    return missing.length;
  }

  get checkedList(): string[] {
    return [...this.checked];
  }

  /**
   * What the saved file lacks of what it must hold.
   */
  missing(): string[] {
    const notebook = JSON.parse(
      fs.readFileSync(this.file, 'utf-8')
    ) as ISavedNotebook;
    // The editor indents typed code by itself: compare without whitespace.
    const squash = (value: string) => value.replace(/\s+/g, '');
    const saved = notebook.cells.map(cell => squash(joined(cell.source)));
    const missing = this.sources.filter(
      source => !saved.includes(squash(source))
    );
    for (const { index, lines } of this.outputs) {
      const output = (notebook.cells[index]?.outputs ?? [])
        .map(o => joined(o.text))
        .join('')
        .split('\n');
      missing.push(
        ...lines
          .filter(line => !output.includes(line))
          .map(line => `output line ${JSON.stringify(line)} of cell ${index}`)
      );
    }
    return missing;
  }

  private async append(text: string): Promise<void> {
    await this.page.notebook.addCell('markdown', text);
    this.sources.push(text);
  }

  private sources: string[] = [];
  private outputs: { index: number; lines: string[] }[] = [];
  private checked = new Set<string>();
}

/*
 * Helpers of the fault rows (Kernel Gateway and Enterprise Gateway).
 */

export function settingsFor(
  url: string,
  token: string,
  name = 'fault-gw',
  extra: Record<string, unknown> = {}
) {
  return gatewaySettings({
    gatewayUrl: url,
    authToken: token,
    gatewayName: name,
    ...extra
  });
}

export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.Toastify__toast', { hasText: text }).last();
}

export const kernelName = (page: Page) =>
  page.locator('.jp-Toolbar-kernelName:visible');

export const statusItem = (page: Page) =>
  page.locator('.jp-KernelGateway-status');

/**
 * Open a toast's "Details" and check what they say; close them.
 */
export async function expectDetails(toastLocator: Locator, ...texts: string[]) {
  const page = toastLocator.page();
  await toastLocator.getByRole('button', { name: 'Details' }).click();
  const dialog = page.locator('.jp-Dialog');
  for (const text of texts) {
    await expect(dialog).toContainText(text);
  }
  await dialog.getByRole('button', { name: 'Close' }).click();
}

/**
 * A notebook whose kernel cannot start: JupyterLab asks which kernel to
 * use, offering what the gateway listed (nothing, or what it listed
 * before). The user keeps "No Kernel" for now, and goes on editing.
 */
export async function keepNoKernel(page: Page) {
  const dialog = page.locator('.jp-Dialog', { hasText: 'Select Kernel' });
  await expect(dialog).toBeVisible({ timeout: 15000 });
  await dialog.getByRole('button', { name: 'No Kernel' }).click();
  await expect(dialog).toHaveCount(0);
}

/**
 * Pick a kernel for the current notebook in JupyterLab's kernel dialog
 * (opened from the toolbar unless it is open already).
 */
export async function pickKernel(page: Page, label: string) {
  const dialog = page.locator('.jp-Dialog', { hasText: 'Select Kernel' });
  if ((await dialog.count()) === 0) {
    await kernelName(page).click();
  }
  await dialog.locator('select').selectOption({ label });
  await dialog.getByRole('button', { name: 'Select' }).click();
  await expect(kernelName(page)).toHaveText(label, { timeout: 30000 });
}

/**
 * Bring a document's tab to the front, as a user clicks it.
 */
export async function showTab(page: Page, name: string) {
  await page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: name })
    .click();
  await expect(
    page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')
  ).toContainText(name);
}

/**
 * Run a cell without waiting for it to finish.
 */
export async function startCell(
  page: IJupyterLabPageFixture,
  index: number,
  code: string
) {
  await page.notebook.setCell(index, 'code', '');
  // Written into the cell's model, not typed: CodeMirror indents a typed
  // new line after a loop's body by itself, and under load the typed
  // indentation came on top of it (an IndentationError, once).
  await page.evaluate(
    ({ index, code }) => {
      const panel = window.jupyterapp.shell.currentWidget as NotebookPanel;
      panel.content.widgets[index].model.sharedModel.setSource(code);
    },
    { index, code }
  );
  await page.notebook.selectCells(index);
  await page.keyboard.press('Control+Enter');
}

/**
 * Wait until `output` (a cell's printed stream) shows one more line than it
 * does now, then run `fault` at once. With a cell printing every 0.5 s, the
 * fault lands between two messages rather than on one in transit: a message
 * the gateway has already written into a connection that then breaks is lost
 * whatever the client does (Jupyter's protocol has no acknowledgements; the
 * README's "Known limitations" says so). What these rows check is everything
 * printed while the connection is down.
 */
export async function betweenTwoLines(output: Locator, fault: () => void) {
  const lines = async () =>
    ((await output.textContent()) ?? '').trim().split('\n').length;
  const now = await lines();
  await expect.poll(lines, { intervals: [10] }).toBeGreaterThan(now);
  fault();
}

/**
 * A notebook already on the local server's disk (written before the page
 * opens), whose metadata names the kernelspec `kernel`.
 */
export function writeNotebook(
  tmpPath: string,
  name: string,
  sources: string[],
  kernel = 'python3'
) {
  const notebook = {
    cells: sources.map(source => ({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source
    })),
    metadata: {
      kernelspec: { name: kernel, display_name: kernel, language: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  fs.mkdirSync(path.join(LAB_ROOT, tmpPath), { recursive: true });
  fs.writeFileSync(
    path.join(LAB_ROOT, tmpPath, name),
    JSON.stringify(notebook, null, 1)
  );
}

export const PRINT_LOOP = (count: number, pause: number) =>
  `import time\nfor i in range(${count}):\n    print(i, flush=True)\n    time.sleep(${pause})`;

export const range = (count: number) =>
  Array.from({ length: count }, (_, i) => String(i));

export const ON_GATEWAY = "import os; print(os.environ['KERNEL_GATEWAY'])";
