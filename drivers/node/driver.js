// External driver (drivers/CONTRACT.md) for mysqljs `mysql` (Debian node-mysql): reads cells as
// JSON lines on stdin, answers one result line each on stdout. No build step; the harness runs
// `node /opt/drivers/node/driver.js` (Debian's node finds `mysql` under /usr/share/nodejs).
'use strict';
const fs = require('fs');
const tls = require('tls');
const mysql = require('mysql');

// mysqljs builds its TLSSocket from tls.createSecureContext({ca, cert, ciphers, key, passphrase})
// with rejectUnauthorized and checks only ssl.verifyError() (the chain): it never passes
// servername/checkServerIdentity, so it never verifies the host name. It passes no TLS version
// either: Node's process-wide tls.DEFAULT_MIN_VERSION/DEFAULT_MAX_VERSION bound it (set per cell).
const DEFAULT_TLS = { min: tls.DEFAULT_MIN_VERSION, max: tls.DEFAULT_MAX_VERSION };

const MODES = {
  DISABLED: { options: 'ssl: undefined' },
  PREFERRED: { unsupported: 'mysqljs has no opportunistic TLS: the ssl option makes TLS mandatory' },
  REQUIRED: { options: 'ssl: {ca: CA, rejectUnauthorized: false}' },
  VERIFY_CA: { options: 'ssl: {ca: CA, rejectUnauthorized: true} (mysqljs checks the chain, never the host name)' },
  // What a mysqljs user writes to verify the server; mysqljs passes no servername or
  // checkServerIdentity to its TLS socket, so the host name is never checked (the snapshots show it).
  VERIFY_IDENTITY: { options: 'ssl: {ca: CA, rejectUnauthorized: true} (mysqljs checks no host name: its TLS socket gets no servername)' },
  // No ssl key at all (not even ssl: undefined): mysqljs's own default.
  DEFAULT: { options: 'createConnection({host, port, user, password, connectTimeout}) without an ssl option' },
};
const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n'); // synchronous for pipes and files on Linux
}

function unsupported(reason) {
  return { outcome: 'unsupported', reason };
}

function failed(err) {
  const errno = err && err.errno;
  return {
    outcome: 'failed',
    code: Number.isInteger(errno) && errno >= 1000 && errno < 10000 ? errno : null,
    sqlstate: (err && err.sqlState) || null,
    message: err && err.message !== undefined ? String(err.message) : String(err),
    raw_type: err && err.code ? `${err.constructor.name}/${err.code}` : (err && err.constructor ? err.constructor.name : typeof err),
  };
}

// The ssl option for a cell, or {reason} when the cell asks what mysqljs cannot express.
function sslOption(cell) {
  if (MODES[cell.ssl_mode] === undefined) return { reason: `unknown ssl_mode ${cell.ssl_mode}` };
  if (MODES[cell.ssl_mode].unsupported) return { reason: MODES[cell.ssl_mode].unsupported };
  if (cell.crl) return { reason: 'mysqljs has no CRL option (it does not pass crl to tls.createSecureContext)' };
  const ssl = { rejectUnauthorized: cell.ssl_mode === 'VERIFY_CA' || cell.ssl_mode === 'VERIFY_IDENTITY' };
  if (cell.ca) ssl.ca = fs.readFileSync(cell.ca); // a read error is a failed cell
  if (cell.cert) ssl.cert = fs.readFileSync(cell.cert);
  if (cell.key) ssl.key = fs.readFileSync(cell.key);
  if (cell.tls_version) {
    const idx = cell.tls_version.split(',').map((v) => TLS_VERSIONS.indexOf(v.trim()));
    if (idx.includes(-1)) return { reason: `Node has no TLS version in ${cell.tls_version}` };
    const lo = Math.min(...idx), hi = Math.max(...idx);
    if (hi - lo + 1 !== new Set(idx).size) return { reason: `Node takes a min..max version range, not the gapped list ${cell.tls_version}` };
    return { ssl, min: TLS_VERSIONS[lo], max: TLS_VERSIONS[hi] };
  }
  return { ssl };
}

// The cell's fields (drivers/contract.schema.json): required ones with their JSON type; the
// optional ones are a string or null, and absent means null.
const REQUIRED = { id: 'uint', ssl_mode: 'string', host: 'string', port: 'uint', user: 'string', password: 'string', timeout_ms: 'uint' };
const OPTIONAL = ['ca', 'cert', 'key', 'pkcs12', 'pkcs12_password', 'crl', 'tls_version'];
const isUint = (v, limit = 2 ** 64) => Number.isInteger(v) && v >= 0 && v < limit;

// A line (bytes) as a cell, or {id, problem} when it is not a valid cell (drivers/CONTRACT.md,
// invalid lines): id is the line's id when it is an object with an unsigned integer id, else 0.
function parseCell(bytes) {
  let cell;
  try {
    cell = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    return { id: 0, problem: `not JSON: ${err instanceof TypeError ? 'not UTF-8' : err.message}` };
  }
  if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) {
    return { id: 0, problem: `not a JSON object: ${JSON.stringify(cell)}` };
  }
  const id = isUint(cell.id) ? cell.id : 0;
  for (const [name, kind] of Object.entries(REQUIRED)) {
    const value = cell[name];
    if (!Object.hasOwn(cell, name)) return { id, problem: `missing field \`${name}\`` };
    const ok = kind === 'uint' ? isUint(value, name === 'port' ? 2 ** 16 : 2 ** 64) : typeof value === 'string';
    if (!ok) return { id, problem: `field \`${name}\`: ${JSON.stringify(value)} has the wrong type` };
  }
  if (!Object.hasOwn(MODES, cell.ssl_mode)) {
    return { id, problem: `field \`ssl_mode\`: unknown ssl-mode ${JSON.stringify(cell.ssl_mode)}` };
  }
  for (const name of OPTIONAL) {
    const value = cell[name] === undefined ? null : cell[name];
    if (value !== null && typeof value !== 'string') {
      return { id, problem: `field \`${name}\`: ${JSON.stringify(value)} is neither a string nor null` };
    }
    cell[name] = value;
  }
  return { cell };
}

// stdin split into lines of bytes (decoded per line, so a line that is not UTF-8 is reported).
async function* lines(stream) {
  let pending = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = Buffer.concat([pending, chunk]);
    for (let nl = pending.indexOf(10); nl >= 0; nl = pending.indexOf(10)) {
      yield pending.subarray(0, nl);
      pending = pending.subarray(nl + 1);
    }
  }
  if (pending.length > 0) yield pending;
}

function statusValue(rows) {
  const v = rows && rows[0] ? rows[0].Value : null;
  return v === undefined || v === null || v === '' ? null : String(v);
}

function runCell(cell) {
  return new Promise((resolve) => {
    let ssl;
    if (cell.ssl_mode === 'DEFAULT') {
      // No TLS option: the cell's CA, client certificate, CRL and TLS version are not used, and
      // Node's process-wide TLS version bounds go back to what they were at start.
      tls.DEFAULT_MIN_VERSION = DEFAULT_TLS.min;
      tls.DEFAULT_MAX_VERSION = DEFAULT_TLS.max;
    } else if (cell.ssl_mode !== 'DISABLED') {
      let opt;
      try {
        opt = sslOption(cell);
      } catch (err) {
        resolve(failed(err));
        return;
      }
      if (opt.reason) {
        resolve(unsupported(opt.reason));
        return;
      }
      ssl = opt.ssl;
      tls.DEFAULT_MIN_VERSION = opt.min || DEFAULT_TLS.min;
      tls.DEFAULT_MAX_VERSION = opt.max || DEFAULT_TLS.max;
    }
    const timeout = cell.timeout_ms;
    let conn;
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      if (conn) conn.destroy(); // closes the socket whatever state it is in
      resolve(result);
    };
    try {
      const config = {
        host: cell.host, port: cell.port, user: cell.user, password: cell.password,
        connectTimeout: timeout,
      };
      if (cell.ssl_mode !== 'DEFAULT') config.ssl = ssl;
      conn = mysql.createConnection(config);
      conn.on('error', (err) => finish(failed(err))); // late fatal errors
      conn.connect({ timeout }, (err) => {
        if (err) return finish(failed(err));
        conn.query({ sql: "SHOW SESSION STATUS LIKE 'Ssl_version'", timeout }, (err1, r1) => {
          if (err1) return finish(failed(err1));
          conn.query({ sql: "SHOW SESSION STATUS LIKE 'Ssl_cipher'", timeout }, (err2, r2) => {
            if (err2) return finish(failed(err2));
            const result = { outcome: 'connected', tls_version: statusValue(r1), cipher: statusValue(r2) };
            conn.end(() => finish(result)); // COM_QUIT, then destroy
          });
        });
      });
    } catch (err) {
      finish(failed(err));
    }
  });
}

async function main() {
  const pkg = require('mysql/package.json');
  emit({
    hello: {
      driver: 'node-mysql',
      version: pkg.version,
      runtime: `node ${process.version}; OpenSSL ${process.versions.openssl}`,
      modes: MODES,
    },
  });
  for await (const bytes of lines(process.stdin)) {
    if (!bytes.toString('utf8').trim()) continue; // blank lines are not cells: no answer
    const { cell, id, problem } = parseCell(bytes);
    if (problem !== undefined) {
      process.stderr.write(`invalid cell line: ${problem}\n`);
      emit({ id, outcome: 'invalid_cell', message: problem });
      continue;
    }
    let result;
    try {
      result = await runCell(cell);
    } catch (err) { // a bug here must not end the loop: the cell fails, the next one runs
      result = failed(err);
    }
    emit({ id: cell.id, ...result });
  }
}

process.on('uncaughtException', (err) => process.stderr.write(`uncaught: ${err && err.stack}\n`));
main();
