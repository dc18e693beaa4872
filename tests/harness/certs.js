/**
 * Test TLS certificates made with the `openssl` command, for gateways behind
 * an HTTPS reverse proxy (see nginx.js). Every certificate has its own key,
 * so a browser told to trust one of them by its public key
 * (`--ignore-certificate-errors-spki-list`) still rejects the others:
 *
 * - `ca`: a test certificate authority (import it into an NSS database to
 *   trust everything it signed);
 * - `good`: a server certificate for `host` (subjectAltName DNS:host), signed
 *   by the CA, valid now;
 * - `expired`: the same names, signed by the CA, valid only in 2020;
 * - `wrongHost`: signed by the CA, valid now, but for `wrong.<host>` only;
 * - `selfSigned`: for `host`, valid now, signed by itself (untrusted).
 *
 * Each entry is `{cert, key, spki}`: PEM file paths and the base64 SHA-256
 * of the public key, the value Chromium's
 * `--ignore-certificate-errors-spki-list` takes.
 */
'use strict';

const { execFileSync } = require('child_process');
const { X509Certificate, createHash, randomBytes } = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { commandError } = require('./gateway');

const OPENSSL = process.env.OPENSSL || 'openssl';

/**
 * A test certificate: PEM file paths and the public key's pin.
 *
 * @typedef {object} CertificateFiles
 * @property {string} cert the PEM certificate.
 * @property {string} key its PEM private key.
 * @property {string} spki `spkiHash(cert)`.
 */

/**
 * Run openssl with `args` in `cwd`; throw with its output when it fails.
 *
 * @param {string[]} args
 * @param {string} cwd
 * @returns {string} what it printed.
 */
function openssl(args, cwd) {
  try {
    return execFileSync(OPENSSL, args, { cwd, stdio: 'pipe' }).toString();
  } catch (error) {
    throw new Error(`openssl ${args.join(' ')} failed: ${commandError(error)}`);
  }
}

/**
 * The base64 SHA-256 of a certificate's SubjectPublicKeyInfo (an HPKP-style
 * pin), as Chromium's `--ignore-certificate-errors-spki-list` expects it.
 *
 * @param {string} certFile a PEM certificate.
 */
function spkiHash(certFile) {
  const cert = new X509Certificate(fs.readFileSync(certFile));
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * Make a new P-256 key and a certificate signing request for `cn`.
 *
 * @param {string} dir where the files go.
 * @param {string} name `<name>.key` and `<name>.csr`.
 * @param {string} cn the subject's common name.
 */
function request(dir, name, cn) {
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`
    ],
    dir
  );
}

/**
 * The subjectAltName extension for the DNS names / IPs in `names`.
 *
 * @param {string[]} names
 * @returns {string}
 */
function subjectAltName(names) {
  const san = names
    .map(name => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`))
    .join(',');
  return `subjectAltName=${san}`;
}

/**
 * The extensions of a server certificate for the DNS names / IPs in `names`.
 *
 * @param {string[]} names
 * @returns {string} an OpenSSL extensions file.
 */
function serverExtensions(names) {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    subjectAltName(names),
    ''
  ].join('\n');
}

/**
 * Make the test certificates in `options.dir` (a new temp directory by
 * default). Takes about a second.
 *
 * @param {object} [options]
 * @param {string} [options.dir]
 * @param {string} [options.host] the test host name ('gateway.test').
 * @param {string[]} [options.altNames] more names for the good certificate
 *   (DNS names or IP addresses, e.g. ['app.test', '127.0.0.1']).
 * @returns {{dir: string, host: string, ca: CertificateFiles,
 *   good: CertificateFiles, expired: CertificateFiles,
 *   wrongHost: CertificateFiles, selfSigned: CertificateFiles}}
 */
function makeCertificates(options = {}) {
  const host = options.host || 'gateway.test';
  const dir =
    options.dir || fs.mkdtempSync(path.join(os.tmpdir(), 'kg-certs-'));
  fs.mkdirSync(dir, { recursive: true });
  /** @param {string} name */
  const file = name => path.join(dir, name);
  /**
   * @param {string} name
   * @returns {CertificateFiles}
   */
  const entry = name => ({
    cert: file(`${name}.crt`),
    key: file(`${name}.key`),
    spki: spkiHash(file(`${name}.crt`))
  });

  // The certificate authority.
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '3650',
      '-subj',
      '/CN=jupyterlab-kernel-gateway test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign'
    ],
    dir
  );

  // Signed by the CA, valid now: good (host) and wrongHost (another name).
  /**
   * @param {string} name
   * @param {string[]} names
   */
  const signNow = (name, names) => {
    request(dir, name, names[0]);
    fs.writeFileSync(file(`${name}.ext`), serverExtensions(names));
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-days',
        '365',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`
      ],
      dir
    );
  };
  signNow('good', [host, ...(options.altNames || [])]);
  signNow('wrong-host', [`wrong.${host}`]);

  // Expired: `openssl x509` cannot set dates in the past, `openssl ca` can.
  request(dir, 'expired', host);
  fs.writeFileSync(file('expired.ext'), serverExtensions([host]));
  fs.mkdirSync(file('ca-db'), { recursive: true });
  fs.writeFileSync(file('ca-db/index.txt'), '');
  fs.writeFileSync(
    file('ca-db/ca.cnf'),
    [
      '[ca]',
      'default_ca = test_ca',
      '[test_ca]',
      `dir = ${file('ca-db')}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir',
      'rand_serial = yes',
      'default_md = sha256',
      'policy = any',
      'email_in_dn = no',
      'copy_extensions = none',
      '[any]',
      'commonName = supplied',
      ''
    ].join('\n')
  );
  openssl(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      file('ca-db/ca.cnf'),
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200201000000Z',
      '-extfile',
      'expired.ext',
      '-in',
      'expired.csr',
      '-out',
      'expired.crt'
    ],
    dir
  );

  // Self-signed, for the right host, valid now.
  fs.writeFileSync(file('self-signed.ext'), serverExtensions([host]));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'self-signed.key',
      '-out',
      'self-signed.crt',
      '-days',
      '365',
      '-subj',
      `/CN=${host}`,
      '-addext',
      subjectAltName([host]),
      '-addext',
      'extendedKeyUsage=serverAuth'
    ],
    dir
  );

  return {
    dir,
    host,
    ca: entry('ca'),
    good: entry('good'),
    expired: entry('expired'),
    wrongHost: entry('wrong-host'),
    selfSigned: entry('self-signed')
  };
}

/**
 * Make an NSS database (what Chromium on Linux reads from
 * `$HOME/.pki/nssdb`) that trusts `caCert` for TLS servers. Start the
 * browser with `env: {...process.env, HOME: home}` to use it. Needs
 * `certutil` (Debian package libnss3-tools).
 *
 * @param {string} home the directory to use as the browser's HOME.
 * @param {string} caCert a PEM CA certificate.
 * @returns {string} the database directory.
 */
function makeNssDb(home, caCert) {
  const db = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(db, { recursive: true });
  /**
   * @param {string[]} args
   * @param {string} [input]
   */
  const certutil = (args, input) =>
    execFileSync('certutil', args, { stdio: 'pipe', input });
  if (!fs.existsSync(path.join(db, 'cert9.db'))) {
    certutil(['-N', '-d', `sql:${db}`, '--empty-password']);
  }
  certutil([
    '-A',
    '-d',
    `sql:${db}`,
    '-n',
    'jupyterlab-kernel-gateway test CA',
    '-t',
    'C,,',
    '-i',
    caCert
  ]);
  return db;
}

/**
 * Chromium flags that make test host names resolve to 127.0.0.1 and trust
 * the given certificates by their public keys, without
 * `ignoreHTTPSErrors` (which would hide the certificate errors of the other
 * test certificates). Chromium honours the SPKI list only when a user data
 * directory is given, which Playwright always does.
 *
 * @param {object} options
 * @param {string[]} options.hosts e.g. ['gateway.test', 'app.test'].
 * @param {string[]} [options.spki] spkiHash() values to trust, e.g.
 *   [certs.good.spki].
 * @returns {string[]}
 */
function chromiumArgs(options) {
  const args = [
    `--host-resolver-rules=${options.hosts
      .map(host => `MAP ${host} 127.0.0.1`)
      .join(',')}`
  ];
  if (options.spki && options.spki.length > 0) {
    args.push(
      `--ignore-certificate-errors-spki-list=${options.spki.join(',')}`
    );
  }
  return args;
}

module.exports = { chromiumArgs, makeCertificates, makeNssDb, spkiHash };
