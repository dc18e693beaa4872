/**
 * The limit row: a plain Node websocket client talking straight to the
 * gateway with the v1 binary protocol. No browser route can beat it.
 */
'use strict';

const { randomUUID } = require('crypto');

// The project's own ws (node_modules at the root); not the global WebSocket.
const WsWebSocket = require('ws');
const { PROTOCOL, serialize, deserialize } = require('./v1');

/**
 * @typedef {import('@jupyterlab/services').KernelMessage.IMessage} Message
 * @typedef {import('@jupyterlab/services').KernelMessage.IStreamMsg} StreamMessage
 * @typedef {import('@jupyterlab/services').KernelMessage.IStatusMsg} StatusMessage
 */

class LimitClient {
  /**
   * @param {string} gatewayUrl
   * @param {string} token
   */
  constructor(gatewayUrl, token) {
    this.gatewayUrl = gatewayUrl;
    this.token = token;
    this.session = randomUUID();
    /** @type {Map<string, (msg: Message) => void>} */
    this.listeners = new Map();
    /** @type {{id: string} | undefined} the kernel, once started. */
    this.kernel = undefined;
    /** @type {WsWebSocket | undefined} its websocket, once started. */
    this.ws = undefined;
  }

  /**
   * Start a kernel and connect to it; resolves with the milliseconds taken.
   *
   * @returns {Promise<number>}
   */
  async start() {
    const started = performance.now();
    const response = await fetch(
      `${this.gatewayUrl}api/kernels?token=${this.token}`,
      {
        method: 'POST',
        body: '{}',
        headers: { 'Content-Type': 'application/json' }
      }
    );
    /** @type {{id: string}} */
    const kernel = await response.json();
    this.kernel = kernel;
    const url = `${this.gatewayUrl.replace(/^http/, 'ws')}api/kernels/${kernel.id}/channels?session_id=${this.session}&token=${this.token}`;
    const ws = new WsWebSocket(url, [PROTOCOL], { maxPayload: 1 << 30 });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', data => {
      // binaryType 'nodebuffer': every message is one Buffer.
      const msg = deserialize(/** @type {Buffer} */ (data));
      const parent = /** @type {Partial<Message['header']>} */ (
        msg.parent_header
      );
      const id = parent?.msg_id;
      const listener = id === undefined ? undefined : this.listeners.get(id);
      if (listener) {
        listener(msg);
      }
    });
    // The kernel is up when it answers kernel_info.
    await this.request('kernel_info_request', {});
    return performance.now() - started;
  }

  /**
   * Send a shell request; resolve when the kernel is idle again.
   *
   * @param {string} msgType
   * @param {object} content
   * @param {(msg: Message) => void} [onIOPub]
   * @returns {Promise<{reply: number, idle: number, bytes: number, messages: number}>}
   */
  request(msgType, content, onIOPub) {
    const id = randomUUID();
    const sent = performance.now();
    let reply = 0;
    let idle = 0;
    let bytes = 0;
    let messages = 0;
    return new Promise(resolve => {
      this.listeners.set(id, msg => {
        messages++;
        if (msg.channel === 'shell') {
          reply = performance.now() - sent;
        } else if (msg.header.msg_type === 'stream') {
          bytes += /** @type {StreamMessage} */ (msg).content.text.length;
        } else if (
          msg.header.msg_type === 'status' &&
          /** @type {StatusMessage} */ (msg).content.execution_state === 'idle'
        ) {
          idle = performance.now() - sent;
        }
        onIOPub?.(msg);
        if (reply && idle) {
          this.listeners.delete(id);
          resolve({ reply, idle, bytes, messages });
        }
      });
      if (!this.ws) {
        throw new Error('request() before start()');
      }
      this.ws.send(
        serialize({
          channel: 'shell',
          header: {
            msg_id: id,
            msg_type: msgType,
            username: '',
            session: this.session,
            date: new Date().toISOString(),
            version: '5.3'
          },
          parent_header: {},
          metadata: {},
          content
        })
      );
    });
  }

  /**
   * Run `code`; resolves when the kernel is idle again.
   *
   * @param {string} code
   */
  execute(code) {
    return this.request('execute_request', {
      code,
      silent: false,
      store_history: false,
      user_expressions: {},
      allow_stdin: false
    });
  }

  /**
   * Close the websocket and shut the kernel down.
   *
   * @returns {Promise<void>}
   */
  async stop() {
    this.ws?.close();
    if (this.kernel) {
      await fetch(
        `${this.gatewayUrl}api/kernels/${this.kernel.id}?token=${this.token}`,
        {
          method: 'DELETE'
        }
      );
    }
  }
}

module.exports = { LimitClient };
