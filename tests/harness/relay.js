/**
 * A TCP relay on 127.0.0.1 between a client and a real server that records
 * every byte the client sends. Tests put it in front of a Kernel Gateway to
 * see exactly what reached the gateway — HTTP requests and websocket
 * handshakes alike — and can later cut the traffic or hold the answers.
 */
'use strict';

const net = require('net');

/**
 * @param {object} options
 * @param {number} options.targetPort the real server's port on 127.0.0.1.
 * @param {number} [options.port] the relay's port (free port by default).
 * @param {string} [options.host] where the relay listens (127.0.0.1).
 * @param {(data: Buffer) => void} [options.onData] called with every chunk a
 *   client sends.
 */
function startRelay(options) {
  const sockets = new Set();
  const chunks = [];
  let cut = false;
  // While held, the server's answers wait here (a slow gateway).
  let held = null;
  const server = net.createServer(client => {
    if (cut) {
      // The network is down: the connection is dropped at once.
      client.destroy();
      return;
    }
    const upstream = net.connect(options.targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', data => {
      chunks.push(Buffer.from(data));
      if (options.onData) {
        options.onData(data);
      }
    });
    client.pipe(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // What the server does to the client (data, end, close) waits in
    // order while answers are held.
    const toClient = action => (held ? held.push(action) : action());
    upstream.on('data', data => toClient(() => client.write(data)));
    upstream.on('end', () => toClient(() => client.end()));
    upstream.on('error', () => toClient(close));
    upstream.on('close', () => toClient(close));
    client.on('error', close);
    client.on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(options.port || 0, options.host || '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        /**
         * Everything the clients sent, as latin1 text.
         */
        text: () => Buffer.concat(chunks).toString('latin1'),
        /**
         * The request lines and header blocks found in the stream.
         */
        requests: () => parseRequests(Buffer.concat(chunks).toString('latin1')),
        clear: () => {
          chunks.length = 0;
        },
        /**
         * Cut the network: drop every open connection (websockets too) and
         * every new one until `restore()`.
         */
        cut: () => {
          cut = true;
          for (const socket of sockets) {
            socket.destroy();
          }
          sockets.clear();
        },
        restore: () => {
          cut = false;
        },
        /**
         * Hold the server's answers (requests still reach it): a gateway
         * that answers slowly.
         */
        hold: () => {
          held = held ?? [];
        },
        /**
         * Deliver the held answers, and answer at once from now on.
         */
        release: () => {
          const actions = held ?? [];
          held = null;
          for (const action of actions) {
            action();
          }
        },
        close: () =>
          new Promise(done => {
            for (const socket of sockets) {
              socket.destroy();
            }
            server.close(() => done());
          })
      });
    });
  });
}

/**
 * Find HTTP request heads in a byte stream.
 */
function parseRequests(text) {
  const pattern =
    /(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) (\S+) HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/g;
  const requests = [];
  let match;
  while ((match = pattern.exec(text)) !== null) {
    const headers = {};
    for (const line of match[3].split('\r\n')) {
      const index = line.indexOf(':');
      if (index > 0) {
        headers[line.slice(0, index).trim().toLowerCase()] = line
          .slice(index + 1)
          .trim();
      }
    }
    requests.push({ method: match[1], path: match[2], headers });
  }
  return requests;
}

module.exports = { startRelay, parseRequests };
