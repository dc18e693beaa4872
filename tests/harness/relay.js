/**
 * A TCP relay on 127.0.0.1 between a client and a real server that records
 * every byte the client sends. Tests put it in front of a Kernel Gateway to
 * see exactly what reached the gateway — HTTP requests and websocket
 * handshakes alike — and can later cut the traffic, hold the answers, or
 * partition the network.
 *
 * Three faults:
 * - `cut()`: every connection is closed at once and new ones are dropped as
 *   soon as they are accepted, until `restore()`: a network that goes down
 *   noisily (a proxy or gateway restarting).
 * - `hold()`: requests reach the server, answers wait until `release()`: a
 *   slow gateway.
 * - `partition()`: nothing gets through in either direction, but no
 *   connection is closed — open ones stay open, new ones are accepted and
 *   left waiting — until `heal()`: a network that silently drops packets
 *   (a black hole: Wi-Fi out of range, a VPN or NAT losing its state, a
 *   firewall that drops). Bytes sent during the partition are not lost:
 *   they are delivered, in order, once the network heals, as TCP's
 *   retransmissions would deliver them. So is a close (FIN/RST) from either
 *   side: it reaches the other side only after `heal()`.
 *
 *   Unlike a real black hole, the browser's own TCP connection (to the relay)
 *   stays healthy: TCP keepalive probes (Chromium arms them after 45 s idle)
 *   are answered and sent data is acknowledged, so the operating system never
 *   times the connection out. Only the application sees the silence — which
 *   is what a page observes anyway for the first minutes of a real black
 *   hole: a WebSocket stays OPEN, a fetch stays pending.
 */
'use strict';

const net = require('net');

/**
 * An HTTP request head found in the relayed bytes.
 *
 * @typedef {object} RelayedRequest
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} headers by lower-case name.
 */

/**
 * A running relay (see `startRelay`).
 *
 * @typedef {object} Relay
 * @property {number} port
 * @property {() => string} text everything the clients sent, as latin1 text.
 * @property {() => RelayedRequest[]} requests the request lines and header
 *   blocks found in the stream.
 * @property {() => void} clear forget what the clients sent so far.
 * @property {() => void} cut drop every open connection and every new one
 *   until `restore()`.
 * @property {() => void} restore
 * @property {() => void} hold hold the server's answers.
 * @property {() => void} release deliver the held answers.
 * @property {() => void} partition stop forwarding without closing anything.
 * @property {() => void} heal end the partition.
 * @property {boolean} partitioned whether the network is partitioned.
 * @property {() => Promise<void>} close
 */

/**
 * One client connection and its connection to the server.
 *
 * @typedef {object} RelayedConnection
 * @property {net.Socket} client
 * @property {net.Socket | null} upstream null until the server is contacted.
 * @property {(() => void)[]} deferred closes seen during a partition, run in
 *   order at heal().
 * @property {() => net.Socket} open contact the server.
 */

/**
 * @param {object} options
 * @param {number} options.targetPort the real server's port on 127.0.0.1.
 * @param {number} [options.port] the relay's port (free port by default).
 * @param {string} [options.host] where the relay listens (127.0.0.1).
 * @param {(data: Buffer) => void} [options.onData] called with every chunk a
 *   client sends.
 * @returns {Promise<Relay>}
 */
function startRelay(options) {
  /** @type {Set<net.Socket>} */
  const sockets = new Set();
  /** @type {Set<RelayedConnection>} */
  const connections = new Set();
  /** @type {Buffer[]} */
  const chunks = [];
  let cut = false;
  // While held, the server's answers wait here (a slow gateway).
  /** @type {(() => void)[] | null} */
  let held = null;
  // While partitioned, nothing is read from either side.
  let partitioned = false;
  let releaseAtHeal = false;

  /**
   * One client connection and its connection to the server.
   *
   * @param {net.Socket} client
   */
  function relayConnection(client) {
    /** @type {RelayedConnection} */
    const connection = {
      client,
      upstream: null,
      // Closes seen during a partition, run in order at heal().
      deferred: [],
      open: () => openUpstream()
    };
    connections.add(connection);
    sockets.add(client);
    // During a partition, a close from either side waits for heal().
    /** @param {() => void} action */
    const gate = action => () =>
      partitioned ? connection.deferred.push(action) : action();
    const close = () => {
      client.destroy();
      connection.upstream?.destroy();
      sockets.delete(client);
      if (connection.upstream) {
        sockets.delete(connection.upstream);
      }
      connections.delete(connection);
    };
    // What the server does to the client (data, end, close) waits in
    // order while answers are held.
    /** @param {() => void} action */
    const toClient = action => (held ? held.push(action) : action());
    const openUpstream = () => {
      const upstream = net.connect({
        port: options.targetPort,
        host: '127.0.0.1',
        allowHalfOpen: true
      });
      connection.upstream = upstream;
      sockets.add(upstream);
      upstream.on('data', data => toClient(() => client.write(data)));
      // A paused socket still reports the peer's FIN ('end'), and without
      // allowHalfOpen Node would answer it at once, partition or not. So both
      // sockets allow half-open connections, and each FIN is passed on (and
      // answered, as before) here — after the partition if there is one.
      upstream.on(
        'end',
        gate(() => {
          upstream.end();
          toClient(() => client.end());
        })
      );
      upstream.on(
        'error',
        gate(() => toClient(close))
      );
      upstream.on(
        'close',
        gate(() => toClient(close))
      );
      // Backpressure from the server: stop reading the client meanwhile.
      upstream.on('drain', () => {
        if (!partitioned) {
          client.resume();
        }
      });
      return upstream;
    };
    // No encoding is set on the socket: data comes as Buffers.
    client.on('data', (/** @type {Buffer} */ data) => {
      chunks.push(Buffer.from(data));
      if (options.onData) {
        options.onData(data);
      }
      // The client is paused until the server is contacted.
      if (!connection.upstream) {
        throw new Error('relay: client data before the server connection');
      }
      if (!connection.upstream.write(data)) {
        client.pause();
      }
    });
    client.on(
      'end',
      gate(() => {
        client.end();
        connection.upstream?.end();
      })
    );
    client.on('error', gate(close));
    client.on('close', gate(close));
    if (partitioned) {
      // Accepted, but nothing gets through: the server is not even
      // contacted until heal().
      client.pause();
    } else {
      openUpstream();
    }
  }

  const server = net.createServer({ allowHalfOpen: true }, client => {
    if (cut) {
      // The network is down: the connection is dropped at once.
      client.destroy();
      return;
    }
    relayConnection(client);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(options.port || 0, options.host || '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      /** @type {Relay} */
      const relay = {
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
          connections.clear();
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
         * Deliver the held answers, and answer at once from now on. During
         * a partition, they are delivered at heal().
         */
        release: () => {
          if (partitioned) {
            releaseAtHeal = true;
            return;
          }
          const actions = held ?? [];
          held = null;
          for (const action of actions) {
            action();
          }
        },
        /**
         * Partition the network: stop forwarding in both directions without
         * closing anything. Open connections (websockets too) stay open and
         * silent; new ones are accepted and wait. Nothing is lost: see
         * heal().
         */
        partition: () => {
          partitioned = true;
          for (const connection of connections) {
            connection.client.pause();
            connection.upstream?.pause();
          }
        },
        /**
         * End the partition: connections accepted meanwhile reach the
         * server now, and everything sent during the partition — bytes,
         * then closes — is delivered late, in order.
         */
        heal: () => {
          partitioned = false;
          for (const connection of [...connections]) {
            const upstream = connection.upstream ?? connection.open();
            connection.client.resume();
            upstream.resume();
            const deferred = connection.deferred.splice(0);
            for (const action of deferred) {
              action();
            }
          }
          if (releaseAtHeal) {
            releaseAtHeal = false;
            relay.release();
          }
        },
        /**
         * Whether the network is partitioned.
         */
        get partitioned() {
          return partitioned;
        },
        close: () =>
          new Promise(done => {
            for (const socket of sockets) {
              socket.destroy();
            }
            server.close(() => done());
          })
      };
      resolve(relay);
    });
  });
}

/**
 * Find HTTP request heads in a byte stream.
 *
 * @param {string} text the stream as latin1 text.
 * @returns {RelayedRequest[]}
 */
function parseRequests(text) {
  const pattern =
    /(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) (\S+) HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/g;
  /** @type {RelayedRequest[]} */
  const requests = [];
  let match;
  while ((match = pattern.exec(text)) !== null) {
    /** @type {Record<string, string>} */
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
