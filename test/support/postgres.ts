import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {ensureTestUser, freePort, TEST_USER} from './sshd.js'

/**
 * A real PostgreSQL server for tests and benchmarks: Debian's `postgresql` package (installed by
 * scripts/install-test-deps), a cluster of its own made by `initdb` in a temporary folder, run by `pg_ctl` as the
 * unprivileged test user (PostgreSQL refuses root), listening on 127.0.0.1 on a free port and on a Unix socket in
 * that folder only. Password authentication (SCRAM) for TCP, as a centre would ask of its sites. Nothing of the
 * machine's own PostgreSQL (its clusters, port 5432, /etc/postgresql) is used or changed.
 */
export interface PgServer {
  readonly host: string
  readonly port: number
  /** The superuser made by initdb, with `password`. */
  readonly user: string
  readonly password: string
  /** The data folder (owned by the test user). */
  readonly dataDir: string
  /** `postgres://user@127.0.0.1:port/db`: no password in it, as hatang's URLs are written. */
  url(database?: string): string
  /** Runs SQL with psql as the superuser over TCP (password from PGPASSWORD); returns stdout. */
  sql(statement: string, database?: string): string
  /** Makes a database owned by the superuser. */
  createDatabase(name: string): void
  /** With {tls: true}: the CA file that signed the server's certificate (for 127.0.0.1; it listens on 127.0.0.2 too). */
  readonly caFile?: string
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): void
}

/** The newest PostgreSQL server binaries Debian installed (`/usr/lib/postgresql/<major>/bin`). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(path.join(root, d, 'bin', 'pg_ctl'))) : []
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0]
  if (!newest) throw new Error(`no PostgreSQL server under ${root}: run scripts/install-test-deps (it installs Debian's postgresql)`)
  return path.join(root, newest, 'bin')
}

function runAs(user: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  // runuser: the test harness runs as root; the server and its tools run as the unprivileged user
  const r = spawnSync('runuser', ['-u', user, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), file, ...args], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr || r.stdout || r.error?.message}`)
  return r.stdout
}

/**
 * A CA and a server certificate it signed for 127.0.0.1 (only), made with openssl in `dir`; the key readable by
 * `uid` alone, as PostgreSQL requires.
 */
function makeCertificates(dir: string, uid: number, gid: number): {ca: string; cert: string; key: string} {
  const f = (name: string) => path.join(dir, name)
  const openssl = (args: string[]) => {
    const r = spawnSync('openssl', args, {encoding: 'utf8'})
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`)
  }
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=hatang test CA', '-keyout', f('ca.key'), '-out', f('ca.crt')])
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr')])
  writeFileSync(f('san.ext'), 'subjectAltName = IP:127.0.0.1\n')
  openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '3650', '-extfile', f('san.ext'), '-out', f('server.crt')])
  chmodSync(f('server.key'), 0o600)
  chownSync(f('server.key'), uid, gid)
  chmodSync(f('server.crt'), 0o644)
  return {ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key')}
}

export async function startPostgres(options: {tls?: boolean} = {}): Promise<PgServer> {
  if (process.getuid?.() !== 0) throw new Error('the PostgreSQL tests start a server as an unprivileged user and need root')
  ensureTestUser()
  const bin = postgresBinDir()
  const uid = Number(spawnSync('id', ['-u', TEST_USER], {encoding: 'utf8'}).stdout.trim())
  const gid = Number(spawnSync('id', ['-g', TEST_USER], {encoding: 'utf8'}).stdout.trim())
  const base = mkdtempSync(path.join(os.tmpdir(), 'hatang-pg-'))
  chmodSync(base, 0o755) // the test user must reach its folders below
  const dataDir = path.join(base, 'data')
  const socketDir = path.join(base, 'socket')
  const logDir = path.join(base, 'log')
  for (const d of [dataDir, socketDir, logDir]) {
    mkdirSync(d, {mode: 0o700})
    chownSync(d, uid, gid)
  }
  const user = 'hatang_admin'
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`
  const pwfile = path.join(base, 'pwfile')
  writeFileSync(pwfile, `${password}\n`, {mode: 0o600})
  chownSync(pwfile, uid, gid)
  const port = await freePort()
  let caFile: string | undefined
  try {
    runAs(TEST_USER, path.join(bin, 'initdb'), ['-D', dataDir, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'])
    rmSync(pwfile)
    const tls = options.tls ? makeCertificates(base, uid, gid) : undefined
    const settings = [`-p ${port}`, `-k ${socketDir}`, `-c listen_addresses=127.0.0.1`, '-c fsync=off', '-c full_page_writes=off', '-c synchronous_commit=off']
    // over TLS it listens on 127.0.0.2 too, a name its certificate does not hold
    if (tls) settings.push(`-c listen_addresses=127.0.0.1,127.0.0.2`, '-c ssl=on', `-c ssl_cert_file=${tls.cert}`, `-c ssl_key_file=${tls.key}`)
    caFile = tls?.ca
    runAs(TEST_USER, path.join(bin, 'pg_ctl'), ['-D', dataDir, '-l', path.join(logDir, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start'])
  } catch (error) {
    const log = existsSync(path.join(logDir, 'server.log')) ? readFileSync(path.join(logDir, 'server.log'), 'utf8') : ''
    rmSync(base, {recursive: true, force: true})
    throw new Error(`${(error as Error).message}${log ? `\nserver log:\n${log}` : ''}`)
  }
  const psqlBin = existsSync(path.join(bin, 'psql')) ? path.join(bin, 'psql') : '/usr/bin/psql'
  const server: PgServer = {
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    ...(caFile ? {caFile} : {}),
    url: (database = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    sql(statement, database = 'postgres') {
      const r = spawnSync(psqlBin, ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-c', statement], {
        encoding: 'utf8',
        env: {...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10'},
      })
      if (r.status !== 0) throw new Error(`psql failed (exit ${r.status}): ${r.stderr}`)
      return r.stdout
    },
    createDatabase(name) {
      server.sql(`CREATE DATABASE "${name.replaceAll('"', '""')}"`)
    },
    stop() {
      try {
        runAs(TEST_USER, path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'])
      } finally {
        rmSync(base, {recursive: true, force: true})
      }
    },
  }
  return server
}
