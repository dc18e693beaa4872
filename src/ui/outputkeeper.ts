import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

import type { IKeyValueStorage } from '../store/browserstore';

/**
 * Keep the output of running cells across a page reload.
 *
 * A reloaded page reconnects to the kernel with the same client id (kept
 * per tab), and Kernel Gateway replays the messages it buffered while no
 * websocket was open. But the reloaded notebook no longer knows which cell
 * asked for them, and the output that reached the old page after the last
 * save was never written to disk. So, while a cell runs, this keeper
 * records its output messages in `sessionStorage` (per tab, kept across
 * reloads); after a reload it rebuilds the cell's output from the record,
 * then appends what the gateway replays and what follows, until the cell
 * finishes.
 */
export class OutputKeeper implements IDisposable {
  constructor(options: {
    tracker: INotebookTracker;
    storage: IKeyValueStorage;
    /**
     * Whether to keep the output of this kernel's cells (the gateway's
     * kernels; local kernels behave as without the extension).
     */
    keeps: (kernel: Kernel.IKernelConnection) => boolean;
  }) {
    this._storage = options.storage;
    this._keeps = options.keeps;
    options.tracker.widgetAdded.connect((_, panel) => this._watch(panel));
    options.tracker.forEach(panel => this._watch(panel));
    window.addEventListener('pagehide', this._flushAll);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    this._isDisposed = true;
    window.removeEventListener('pagehide', this._flushAll);
  }

  private _watch(panel: NotebookPanel): void {
    const state: IPanelState = {
      panel,
      path: () => panel.context.path,
      executions: new Map(),
      restored: false,
      pending: []
    };
    this._panels.add(state);
    panel.disposed.connect(() => {
      this._flush(state);
      this._panels.delete(state);
    });
    // Connect at once: a reloaded page receives the replayed messages as
    // soon as its kernel connects, maybe before the notebook is loaded.
    panel.sessionContext.kernelChanged.connect((_, change) =>
      this._follow(state, change.newValue)
    );
    this._follow(state, panel.sessionContext.session?.kernel ?? null);
    void panel.context.ready.then(() => this._restore(state));
  }

  private _follow(
    state: IPanelState,
    kernel: Kernel.IKernelConnection | null
  ): void {
    if (!kernel || !this._keeps(kernel)) {
      return;
    }
    kernel.anyMessage.connect((_, args) => {
      if (!state.restored) {
        state.pending.push(args);
      } else {
        this._handle(state, args);
      }
    });
  }

  /**
   * After a reload: rebuild the outputs of the cells that were running.
   */
  private _restore(state: IPanelState): void {
    const saved = this._read(state.path());
    state.restoredIds = new Set(saved.map(execution => execution.msgId));
    for (const execution of saved) {
      const cell = this._cell(state, execution.cellId);
      if (!cell) {
        continue;
      }
      if (!execution.overflow) {
        // The record holds everything since the cell started: rebuild.
        cell.outputs.clear();
        for (const message of execution.messages) {
          apply(cell, message);
        }
      }
      if (execution.count !== null) {
        cell.executionCount = execution.count;
      }
      state.executions.set(execution.msgId, execution);
    }
    state.restored = true;
    for (const args of state.pending.splice(0)) {
      this._handle(state, args);
    }
  }

  private _handle(state: IPanelState, args: Kernel.IAnyMessageArgs): void {
    const msg = args.msg;
    if (args.direction === 'send') {
      if (msg.header.msg_type === 'execute_request') {
        const cellId = (msg.metadata as { cellId?: unknown }).cellId;
        if (typeof cellId === 'string') {
          state.executions.set(msg.header.msg_id, {
            msgId: msg.header.msg_id,
            cellId,
            count: null,
            messages: [],
            bytes: 0,
            overflow: false
          });
          this._schedule(state);
        }
      }
      return;
    }
    const parent = (msg.parent_header as { msg_id?: string }).msg_id;
    const execution = parent ? state.executions.get(parent) : undefined;
    if (!execution || msg.channel !== 'iopub') {
      return;
    }
    const type = msg.header.msg_type;
    if (type === 'status') {
      const status = (msg as KernelMessage.IStatusMsg).content.execution_state;
      if (status === 'idle') {
        state.executions.delete(execution.msgId);
        this._schedule(state);
      }
      return;
    }
    // An execution started by the page before a reload: this page's output
    // area does not listen to it, so its output is added to the cell here.
    const restored = state.restoredIds?.has(execution.msgId) ?? false;
    const cell = restored ? this._cell(state, execution.cellId) : undefined;
    if (type === 'execute_input') {
      execution.count = (
        msg as KernelMessage.IExecuteInputMsg
      ).content.execution_count;
      if (cell) {
        cell.executionCount = execution.count;
      }
    } else if (OUTPUT_TYPES.has(type)) {
      const kept = { msg_type: type, content: msg.content } as IKeptMessage;
      if (!execution.overflow) {
        record(execution, kept);
      }
      if (cell) {
        apply(cell, kept);
      }
    }
    this._schedule(state);
  }

  private _cell(state: IPanelState, cellId: string): ICellOutputs | undefined {
    const cells = state.panel.content.model?.cells;
    if (!cells) {
      return undefined;
    }
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i) as unknown as ICellOutputs & { id: string };
      if (cell.id === cellId && cell.type === 'code') {
        return cell;
      }
    }
    return undefined;
  }

  private _schedule(state: IPanelState): void {
    if (state.timer === undefined) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        this._flush(state);
      }, 250);
    }
  }

  private _flushAll = (): void => {
    for (const state of this._panels) {
      this._flush(state);
    }
  };

  private _flush(state: IPanelState): void {
    const key = storageKey(state.path());
    const executions = [...state.executions.values()];
    try {
      if (executions.length === 0) {
        this._storage.removeItem(key);
      } else {
        this._storage.setItem(key, JSON.stringify(executions));
      }
    } catch {
      // Storage full: a reload would lose the output since the last save.
    }
  }

  private _read(path: string): IExecution[] {
    try {
      const parsed = JSON.parse(
        this._storage.getItem(storageKey(path)) ?? '[]'
      );
      return Array.isArray(parsed) ? (parsed as IExecution[]) : [];
    } catch {
      return [];
    }
  }

  private _keeps: (kernel: Kernel.IKernelConnection) => boolean;
  private _storage: IKeyValueStorage;
  private _panels = new Set<IPanelState>();
  private _isDisposed = false;
}

/**
 * The message types that change a cell's output.
 */
const OUTPUT_TYPES = new Set([
  'stream',
  'display_data',
  'execute_result',
  'error',
  'clear_output'
]);

interface IKeptMessage {
  msg_type: string;
  content: Record<string, unknown>;
}

interface IExecution {
  msgId: string;
  cellId: string;
  count: number | null;
  messages: IKeptMessage[];
  bytes: number;
  overflow: boolean;
}

/**
 * The most output kept per running cell (the tab's storage holds ~5 MB).
 */
const MAX_RECORD_BYTES = 1024 * 1024;

interface IPanelState {
  panel: NotebookPanel;
  path: () => string;
  executions: Map<string, IExecution>;
  restored: boolean;
  restoredIds?: Set<string>;
  pending: Kernel.IAnyMessageArgs[];
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * The part of a code cell model this keeper uses.
 */
interface ICellOutputs {
  readonly type: string;
  executionCount: number | null;
  readonly outputs: {
    add(output: Record<string, unknown>): number;
    clear(wait?: boolean): void;
  };
}

function storageKey(path: string): string {
  return `jupyterlab-kernel-gateway:running-cells:${path}`;
}

/**
 * Add an output message to an execution's record. A stream message that
 * follows one of the same stream is merged into it, as the output area
 * merges them: a cell printing line by line leaves one record entry, not
 * one per line, so the record written to storage stays close to the text
 * itself (the per-message cost is `benchmark/messages.js`'s measure).
 */
function record(execution: IExecution, kept: IKeptMessage): void {
  const text = streamText(kept);
  execution.bytes +=
    text === undefined ? JSON.stringify(kept.content).length : text.length;
  if (execution.bytes > MAX_RECORD_BYTES) {
    // Too much to keep in the tab's storage: after a reload, the saved
    // output and what follows are shown instead.
    execution.overflow = true;
    execution.messages = [];
    return;
  }
  const last = execution.messages[execution.messages.length - 1];
  const lastText = last && streamText(last);
  if (
    text !== undefined &&
    lastText !== undefined &&
    last.content.name === kept.content.name
  ) {
    // A new content object: the message's own belongs to JupyterLab.
    last.content = { ...last.content, text: lastText + text };
    return;
  }
  execution.messages.push(kept);
}

/**
 * The text of a stream message (undefined for other messages).
 */
function streamText(kept: IKeptMessage): string | undefined {
  const text = kept.content.text;
  return kept.msg_type === 'stream' && typeof text === 'string'
    ? text
    : undefined;
}

/**
 * Apply one output message to a cell, as JupyterLab's output area does.
 */
function apply(cell: ICellOutputs, message: IKeptMessage): void {
  if (message.msg_type === 'clear_output') {
    cell.outputs.clear(Boolean(message.content.wait));
    return;
  }
  cell.outputs.add({ output_type: message.msg_type, ...message.content });
}
