/**
 * The fault harness of the UI tests: a real Kernel Gateway the tests can
 * stop, start and restart, behind a TCP relay they can cut and restore (a
 * network loss without killing the gateway) or make answer slowly, and a record of each fault's
 * outcome for the figures table (docs/faults.md).
 */
import * as fs from 'fs';
import * as path from 'path';

import { expect } from '@playwright/test';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startGateway } = require('../../tests/harness/gateway');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRelay } = require('../../tests/harness/relay');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ports, STATE } = require('./servers');

interface IGatewayProcess {
  url: string;
  stop(): Promise<void>;
}

interface IRelay {
  cut(): void;
  restore(): void;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/**
 * A gateway on a fixed port, reached through a relay on another port.
 */
export class FaultyGateway {
  constructor(
    readonly options: {
      port: number;
      relayPort: number;
      token: string;
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
      this._process = await startGateway({
        port: this.options.port,
        token: this.options.token,
        origin: `http://127.0.0.1:${ports.lab}`,
        listKernels: true,
        extraArgs: this.options.extraArgs,
        env: this.options.env,
        logFile: path.join(STATE, `gateway-${this.options.port}.log`)
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
   * Cut the network between the browser and the gateway.
   */
  cut(): void {
    this._relay?.cut();
  }

  restore(): void {
    this._relay?.restore();
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

  private _process: IGatewayProcess | null = null;
  private _relay: IRelay | null = null;
}

/**
 * One row of the fault table.
 */
export interface IFaultRecord {
  row: number;
  fault: string;
  /**
   * What the user is told (the first words of the message).
   */
  told: string;
  /**
   * Milliseconds from the fault to the user being told.
   */
  toldMs: number;
  /**
   * Milliseconds from the end of the fault (gateway or network back, or
   * the fix applied) to working again; undefined when not applicable.
   */
  recoveryMs?: number;
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
  expect(result.toldMs).toBeLessThan(5000);
}

/**
 * Milliseconds since `start`.
 */
export function since(start: number): number {
  return Date.now() - start;
}
