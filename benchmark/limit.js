/**
 * The limit row: a plain Node websocket client talking straight to the
 * gateway with the v1 binary protocol. No browser route can beat it.
 */
'use strict';

const { randomUUID } = require('crypto');
const path = require('path');

const WebSocket = require(path.join(__dirname, '..', 'node_modules', 'ws'));
const { PROTOCOL, serialize, deserialize } = require('./v1');

class LimitClient {
  constructor(gatewayUrl, token) {
    this.gatewayUrl = gatewayUrl;
    this.token = token;
    this.session = randomUUID();
    this.listeners = new Map();
  }

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
    this.kernel = await response.json();
    const ws = `${this.gatewayUrl.replace(/^http/, 'ws')}api/kernels/${this.kernel.id}/channels?session_id=${this.session}&token=${this.token}`;
    this.ws = new WebSocket(ws, [PROTOCOL], { maxPayload: 1 << 30 });
    this.ws.binaryType = 'nodebuffer';
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', data => {
      const msg = deserialize(data);
      const listener = this.listeners.get(msg.parent_header?.msg_id);
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
          bytes += msg.content.text.length;
        } else if (
          msg.header.msg_type === 'status' &&
          msg.content.execution_state === 'idle'
        ) {
          idle = performance.now() - sent;
        }
        onIOPub?.(msg);
        if (reply && idle) {
          this.listeners.delete(id);
          resolve({ reply, idle, bytes, messages });
        }
      });
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

  execute(code) {
    return this.request('execute_request', {
      code,
      silent: false,
      store_history: false,
      user_expressions: {},
      allow_stdin: false
    });
  }

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
