/**
 * The `v1.kernel.websocket.jupyter.org` kernel websocket protocol (binary
 * frames), for the benchmark's Node client: what a browser route cannot
 * beat.
 */
'use strict';

const PROTOCOL = 'v1.kernel.websocket.jupyter.org';

/**
 * A kernel message.
 *
 * @typedef {import('@jupyterlab/services').KernelMessage.IMessage} Message
 */

/**
 * A kernel message to send: its channel and header, the rest optional.
 *
 * @typedef {object} OutgoingMessage
 * @property {string} channel
 * @property {object} header
 * @property {object} [parent_header]
 * @property {object} [metadata]
 * @property {object} [content]
 */

/**
 * One binary frame of the v1 protocol: offsets, then the message's parts.
 *
 * @param {OutgoingMessage} msg
 * @returns {ArrayBuffer}
 */
function serialize(msg) {
  const encoder = new TextEncoder();
  const parts = [
    msg.channel,
    JSON.stringify(msg.header),
    JSON.stringify(msg.parent_header ?? {}),
    JSON.stringify(msg.metadata ?? {}),
    JSON.stringify(msg.content ?? {})
  ].map(part => encoder.encode(part));
  const offsetCount = parts.length + 1;
  const offsets = [8 * (1 + offsetCount)];
  for (const part of parts) {
    offsets.push(offsets[offsets.length - 1] + part.length);
  }
  const buffer = new ArrayBuffer(offsets[offsets.length - 1]);
  const view = new DataView(buffer);
  view.setBigUint64(0, BigInt(offsetCount), true);
  offsets.forEach((offset, i) =>
    view.setBigUint64(8 * (i + 1), BigInt(offset), true)
  );
  const bytes = new Uint8Array(buffer);
  parts.forEach((part, i) => bytes.set(part, offsets[i]));
  return buffer;
}

/**
 * Read a binary frame of the v1 protocol (its buffers are not kept).
 *
 * @param {Uint8Array} data
 * @returns {Message}
 */
function deserialize(data) {
  const buffer = data.buffer.slice(
    data.byteOffset,
    data.byteOffset + data.byteLength
  );
  const view = new DataView(buffer);
  const count = Number(view.getBigUint64(0, true));
  /** @type {number[]} */
  const offsets = [];
  for (let i = 0; i < count; i++) {
    offsets.push(Number(view.getBigUint64(8 * (i + 1), true)));
  }
  const decoder = new TextDecoder();
  /** @param {number} i */
  const text = i =>
    decoder.decode(
      new Uint8Array(buffer, offsets[i], offsets[i + 1] - offsets[i])
    );
  return {
    channel: /** @type {Message['channel']} */ (text(0)),
    header: JSON.parse(text(1)),
    parent_header: JSON.parse(text(2)),
    metadata: JSON.parse(text(3)),
    content: JSON.parse(text(4))
  };
}

module.exports = { PROTOCOL, serialize, deserialize };
