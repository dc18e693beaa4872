/**
 * Run Debian's nginx as a TLS reverse proxy on 127.0.0.1 in front of a real
 * Kernel Gateway, the way an administrator publishes a gateway under a path
 * (`https://gateway.example/gateway/`): the gateway runs with
 * `--KernelGatewayApp.base_url=/gateway/`, nginx passes `location /gateway/`
 * through unchanged, websocket upgrades included, and leaves CORS to the
 * gateway (unless `addHeaders` says otherwise).
 *
 * nginx runs in the foreground as a child of this process (`daemon off`,
 * `master_process off`), with every file — configuration, pid, logs, temp
 * paths — in a temp directory: no system path, no system service. Install it
 * with `apt-get install -y nginx` (or nginx-light); `ensureNginx()` does that
 * when it is missing and we are root.
 *
 * Test certificates come from certs.js.
 */
'use strict';

const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const {
  commandError,
  errorMessage,
  freePort,
  processId,
  stopProcess
} = require('./gateway');

const NGINX = process.env.NGINX_PATH || '/usr/sbin/nginx';

/**
 * Make sure the nginx binary exists; install Debian's package with apt-get
 * when it does not and `install` is true (needs root and the package
 * mirror). Never enables or starts the system service.
 *
 * @param {{install?: boolean}} [options]
 * @returns {string} the binary's path.
 */
function ensureNginx(options = {}) {
  if (fs.existsSync(NGINX)) {
    return NGINX;
  }
  if (!options.install) {
    throw new Error(
      `${NGINX} not found: run "apt-get update && apt-get install -y nginx"`
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', 'nginx'], {
    stdio: 'inherit',
    env
  });
  return NGINX;
}

/**
 * Wait until something accepts TCP connections on 127.0.0.1:port.
 *
 * @param {number} port
 * @param {number} timeoutMs
 * @param {import('child_process').ChildProcess} [child] fail at once when
 *   this process exits first.
 * @returns {Promise<void>}
 */
async function waitForPort(port, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`nginx exited with ${child.exitCode}`);
    }
    /** @type {boolean} */
    const ok = await new Promise(resolve => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/**
 * Quote a value for nginx's configuration language.
 *
 * @param {string} value
 * @returns {string}
 */
function quote(value) {
  return `"${String(value).replace(/["\\]/g, '\\$&')}"`;
}

/**
 * One server block of nginx (one port).
 *
 * @typedef {object} NginxServer
 * @property {string} name
 * @property {number} [port] default: a free port.
 * @property {string} [cert] PEM certificate (for TLS).
 * @property {string} [key] its key.
 * @property {boolean} [tls] false for plain http.
 */

/**
 * The options of `startNginx`.
 *
 * @typedef {object} NginxOptions
 * @property {number} targetPort the gateway's port on 127.0.0.1 (run it
 *   with `--KernelGatewayApp.base_url=<basePath>`).
 * @property {string} [basePath] the location proxied ('/gateway/'),
 *   passed to the gateway unchanged.
 * @property {string} [host] server_name ('gateway.test').
 * @property {number} [port] the port of the first server.
 * @property {string} [cert] PEM certificate of the first server.
 * @property {string} [key] its key.
 * @property {NginxServer[]} [servers] several server blocks, one port each
 *   (e.g. one per test certificate); `tls: false` for plain http. Default:
 *   one server from port/cert/key.
 * @property {string} [proxyReadTimeout] e.g. '5s' (nginx default 60s):
 *   how long nginx waits for the gateway to send anything, websockets
 *   included, before closing the connection.
 * @property {string} [proxySendTimeout] e.g. '5s' (default 60s).
 * @property {Record<string, string>} [addHeaders] `add_header NAME
 *   "VALUE" always;` in the location (e.g. CORS headers on errors too).
 *   When the gateway sends the same header itself (its own CORS headers on
 *   successful answers), the browser sees it twice — for
 *   Access-Control-Allow-Origin a CORS failure — so list it in
 *   `hideUpstreamHeaders` too.
 * @property {string[]} [hideUpstreamHeaders] `proxy_hide_header NAME;`:
 *   drop these headers from the gateway's answers.
 * @property {string} [extraLocationConfig] raw lines for the location.
 * @property {string} [extraServerConfig] raw lines for each server.
 * @property {string} [errorLogLevel] of error.log ('info').
 * @property {string} [dir] where conf and logs go (a new temp dir).
 */

/**
 * A running nginx (see `startNginx`).
 *
 * @typedef {object} Nginx
 * @property {number} port the port of the first server.
 * @property {string} url `https://<host>:<port><basePath>` of the first
 *   server.
 * @property {Record<string, {port: number, url: string}>} servers every
 *   server by name.
 * @property {string} dir
 * @property {string} confFile
 * @property {number} pid
 * @property {() => {error: string, access: string, output: string}} logs
 * @property {() => Promise<void>} stop
 */

/**
 * The nginx.conf for `options` (see startNginx), with `ports` chosen.
 *
 * @param {NginxOptions} options
 * @param {string} dir where its files go.
 * @param {(NginxServer & {port: number})[]} servers
 * @returns {string}
 */
function nginxConfig(options, dir, servers) {
  const base = options.basePath || '/gateway/';
  const location = [
    ...(options.hideUpstreamHeaders || []).map(
      name => `proxy_hide_header ${name};`
    ),
    ...Object.entries(options.addHeaders || {}).map(
      ([name, value]) => `add_header ${name} ${quote(value)} always;`
    ),
    ...(options.extraLocationConfig ? [options.extraLocationConfig] : [])
  ]
    .map(line => `      ${line}\n`)
    .join('');
  const blocks = servers.map(server => {
    const tls = server.tls !== false;
    return `
  # ${server.name}
  server {
    listen 127.0.0.1:${server.port}${tls ? ' ssl' : ''};
    server_name ${options.host || 'gateway.test'};
${
  tls
    ? `    ssl_certificate ${server.cert};
    ssl_certificate_key ${server.key};
`
    : ''
}    location ${base} {
      proxy_pass http://127.0.0.1:${options.targetPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout ${options.proxyReadTimeout || '60s'};
      proxy_send_timeout ${options.proxySendTimeout || '60s'};
      proxy_buffering off;
${location}    }
${options.extraServerConfig ? `    ${options.extraServerConfig}\n` : ''}  }`;
  });
  return `# Written by tests/harness/nginx.js
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log ${options.errorLogLevel || 'info'};

events {
  worker_connections 256;
}

http {
  log_format proxy '$time_iso8601 $server_port "$request" $status '
    'upstream=$upstream_status time=$request_time sent=$bytes_sent';
  access_log ${dir}/access.log proxy;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }
${blocks.join('\n')}
}
`;
}

/**
 * Start nginx as an HTTPS reverse proxy for a gateway on 127.0.0.1.
 *
 * @param {NginxOptions} options
 * @returns {Promise<Nginx>} `url` is `https://<host>:<port><basePath>` of
 *   the first server: resolve `host` to 127.0.0.1 in the client (Chromium:
 *   `--host-resolver-rules`).
 */
async function startNginx(options) {
  const binary = ensureNginx();
  const dir =
    options.dir || fs.mkdtempSync(path.join(os.tmpdir(), 'kg-nginx-'));
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const host = options.host || 'gateway.test';
  const base = options.basePath || '/gateway/';
  /** @type {(NginxServer & {port: number})[]} */
  const servers = [];
  for (const server of options.servers || [
    {
      name: 'default',
      port: options.port,
      cert: options.cert,
      key: options.key
    }
  ]) {
    servers.push({ ...server, port: server.port || (await freePort()) });
  }
  const confFile = path.join(dir, 'nginx.conf');
  fs.writeFileSync(confFile, nginxConfig(options, dir, servers));
  const args = ['-p', dir, '-e', 'stderr', '-c', confFile];
  try {
    execFileSync(binary, ['-t', '-q', ...args], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`nginx -t failed for ${confFile}: ${commandError(error)}`);
  }
  const outputFile = path.join(dir, 'output.log');
  const output = fs.openSync(outputFile, 'w');
  const child = spawn(binary, args, { stdio: ['ignore', output, output] });
  fs.closeSync(output);
  /** @param {string} name */
  const read = name => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf-8');
    } catch {
      return '';
    }
  };
  try {
    for (const server of servers) {
      await waitForPort(server.port, 10000, child);
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(
      `nginx did not start: ${errorMessage(error)}\n${read('output.log')}${read(
        'error.log'
      )}`
    );
  }
  /** @type {Nginx['servers']} */
  const urls = {};
  for (const server of servers) {
    const scheme = server.tls === false ? 'http' : 'https';
    urls[server.name] = {
      port: server.port,
      url: `${scheme}://${host}:${server.port}${base}`
    };
  }
  return {
    port: servers[0].port,
    url: urls[servers[0].name].url,
    servers: urls,
    dir,
    confFile,
    pid: processId(child),
    logs: () => ({
      error: read('error.log'),
      access: read('access.log'),
      output: read('output.log')
    }),
    stop: () => stopProcess(child)
  };
}

module.exports = { startNginx, ensureNginx, nginxConfig, waitForPort, NGINX };
