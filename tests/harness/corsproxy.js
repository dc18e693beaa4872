/**
 * A reverse proxy in front of a gateway that adds CORS headers to every
 * answer, errors included — what an administrator's nginx does with
 * `add_header Access-Control-Allow-Origin <origin> always`. Kernel Gateway
 * itself sends its 401 without CORS headers, so a browser cannot tell a
 * wrong token from a refused origin; behind this proxy it can read the 401.
 * Websocket upgrades are passed through unchanged. Loopback only.
 */
'use strict';

const http = require('http');
const net = require('net');

/**
 * @param {object} options
 * @param {number} options.port where the proxy listens (127.0.0.1).
 * @param {number} options.targetPort the gateway's port (127.0.0.1).
 * @param {string} options.origin the page origin the proxy allows.
 * @returns {Promise<{port: number, close: () => Promise<void>}>}
 */
function startCorsProxy(options) {
  const cors = {
    'access-control-allow-origin': options.origin,
    'access-control-allow-headers': 'Content-Type',
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS'
  };
  const server = http.createServer((request, response) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: options.targetPort,
        method: request.method,
        path: request.url,
        headers: request.headers
      },
      answer => {
        response.writeHead(answer.statusCode ?? 502, {
          ...answer.headers,
          ...cors
        });
        answer.pipe(response);
      }
    );
    upstream.on('error', () => {
      response.writeHead(502, cors);
      response.end();
    });
    request.pipe(upstream);
  });
  const upgraded = new Set();
  server.on('upgrade', (request, socket, head) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const upstream = net.connect(options.targetPort, '127.0.0.1', () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      }
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () =>
      resolve({
        port: /** @type {import('net').AddressInfo} */ (server.address()).port,
        close: () =>
          /** @type {Promise<void>} */ (
            new Promise(done => {
              server.closeAllConnections();
              for (const socket of upgraded) {
                socket.destroy();
              }
              server.close(() => done());
            })
          )
      })
    );
  });
}

module.exports = { startCorsProxy };
