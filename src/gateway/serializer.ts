import { KernelMessage } from '@jupyterlab/services';
import type { ServerConnection } from '@jupyterlab/services';

type Serializer = ServerConnection.ISettings['serializer'];

const V1 =
  KernelMessage.supportedKernelWebSocketProtocols.v1KernelWebsocketJupyterOrg;

/**
 * JupyterLab's serializer, with messages of the binary v1 protocol decoded
 * without copying.
 *
 * JupyterLab's v1 deserializer copies each part of a message out of the
 * frame (`ArrayBuffer.slice`) before decoding it as UTF-8: for the large
 * stream messages of a cell that prints a lot, one more pass over every byte
 * received. Here the JSON parts are decoded from views of the frame, which
 * nobody keeps. Binary buffers (widgets' data) are still copied, as
 * JupyterLab does: whoever receives one may keep it, and a view would keep
 * the whole frame alive. Everything else (sending, the legacy JSON protocol)
 * is JupyterLab's own.
 */
export function v1DecodingInPlace(stock: Serializer): Serializer {
  return {
    serialize: (msg, protocol) => stock.serialize(msg, protocol),
    deserialize: (data, protocol) =>
      protocol === V1 ? deserializeV1(data) : stock.deserialize(data, protocol)
  };
}

const decoder = new TextDecoder('utf-8');

/**
 * Decode a v1 frame: a count `n` of offsets, `n` offsets (little-endian
 * 64-bit), then the channel, header, parent header, metadata, content and
 * buffers between successive offsets.
 */
export function deserializeV1(frame: ArrayBuffer): KernelMessage.IMessage {
  const view = new DataView(frame);
  // 64-bit little-endian integers, read as two 32-bit halves.
  const uint64 = (at: number) =>
    view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  const count = uint64(0);
  const offsets: number[] = [];
  for (let i = 1; i <= count; i++) {
    offsets.push(uint64(8 * i));
  }
  const text = (part: number) =>
    decoder.decode(
      new Uint8Array(frame, offsets[part], offsets[part + 1] - offsets[part])
    );
  const buffers: DataView[] = [];
  for (let part = 5; part < offsets.length - 1; part++) {
    buffers.push(new DataView(frame.slice(offsets[part], offsets[part + 1])));
  }
  return {
    channel: text(0),
    header: JSON.parse(text(1)),
    parent_header: JSON.parse(text(2)),
    metadata: JSON.parse(text(3)),
    content: JSON.parse(text(4)),
    buffers
  } as KernelMessage.IMessage;
}
