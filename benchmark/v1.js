/**
 * The `v1.kernel.websocket.jupyter.org` kernel websocket protocol (binary
 * frames), for the benchmark's Node client: what a browser route cannot
 * beat.
 */
'use strict';

const PROTOCOL = 'v1.kernel.websocket.jupyter.org';

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

function deserialize(data) {
  const buffer = data.buffer.slice(
    data.byteOffset,
    data.byteOffset + data.byteLength
  );
  const view = new DataView(buffer);
  const count = Number(view.getBigUint64(0, true));
  const offsets = [];
  for (let i = 0; i < count; i++) {
    offsets.push(Number(view.getBigUint64(8 * (i + 1), true)));
  }
  const decoder = new TextDecoder();
  const text = i =>
    decoder.decode(
      new Uint8Array(buffer, offsets[i], offsets[i + 1] - offsets[i])
    );
  return {
    channel: text(0),
    header: JSON.parse(text(1)),
    parent_header: JSON.parse(text(2)),
    metadata: JSON.parse(text(3)),
    content: JSON.parse(text(4))
  };
}

module.exports = { PROTOCOL, serialize, deserialize };
