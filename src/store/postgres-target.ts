import {readFileSync} from 'node:fs'
import os from 'node:os'

import type {ClientConfig} from 'pg'

import {StoreError} from './store-error.js'

/** Whether --store names a PostgreSQL server (postgres:// or postgresql://) rather than an SQLite file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target)
}

/** A PostgreSQL store as hatang reaches it: where (for messages, never with a password) and pg's settings but the password. */
export interface PostgresTarget {
  /** The URL as given (it carries no password). */
  url: string
  /** host:port/database, for messages. */
  server: string
  host: string
  port: number
  user: string
  database: string
  /** pg's connection settings, the password excepted (see pgpass.ts). */
  config: ClientConfig
}

const HINT = 'give the password in PGPASSWORD or ~/.pgpass, never in the URL'

/**
 * Reads a postgres:// URL as libpq does: user, host, port, database, and TLS from `sslmode` (disable, allow and prefer:
 * no TLS; require: TLS without checking the certificate, unless `sslrootcert` is given, then as verify-ca; verify-ca:
 * the certificate is signed by `sslrootcert`; verify-full: and names the host), `sslrootcert`, `sslcert`, `sslkey`.
 * A URL with a password is refused: the message repeats the URL without it.
 */
export function postgresTarget(url: string, env: NodeJS.ProcessEnv = process.env): PostgresTarget {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new StoreError(`--store ${redact(url)} is not a valid postgres:// URL`, 'write it postgres://USER@HOST:PORT/DATABASE')
  }
  if (u.password !== '') {
    u.password = ''
    throw new StoreError(`--store ${u.toString()}: the URL carries a password; hatang does not take one there (it would be seen in the process list and shell history)`, HINT)
  }
  const q = u.searchParams
  const host = q.get('host') ?? (u.hostname.replace(/^\[(.*)\]$/, '$1') || env.PGHOST || 'localhost')
  const port = Number(q.get('port') ?? (u.port || env.PGPORT || 5432))
  const user = decodeURIComponent(u.username) || q.get('user') || env.PGUSER || os.userInfo().username
  const database = decodeURIComponent(u.pathname.slice(1)) || q.get('dbname') || env.PGDATABASE || user
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StoreError(`--store ${url}: port must be a number from 1 to 65535`)
  const server = `${host}:${port}/${database}`
  return {url, server, host, port, user, database, config: {host, port, user, database, ssl: tlsOf(url, q)}}
}

function tlsOf(url: string, q: URLSearchParams): ClientConfig['ssl'] {
  const mode = q.get('sslmode') ?? 'prefer'
  const file = (name: string) => {
    const p = q.get(name)
    if (p === null) return undefined
    try {
      return readFileSync(p, 'utf8')
    } catch (error) {
      throw new StoreError(`--store ${url}: ${name} ${p} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, `name a readable file in ${name}=`)
    }
  }
  const client = {cert: file('sslcert'), key: file('sslkey')}
  const ca = file('sslrootcert')
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false
    case 'require':
      return ca ? {...client, ca, checkServerIdentity: () => undefined} : {...client, rejectUnauthorized: false}
    case 'verify-ca':
      if (!ca) throw new StoreError(`--store ${url}: sslmode=verify-ca needs sslrootcert=FILE (the CA that signed the server's certificate)`)
      return {...client, ca, checkServerIdentity: () => undefined}
    case 'verify-full':
      return ca ? {...client, ca} : {...client}
    default:
      throw new StoreError(`--store ${url}: unknown sslmode '${mode}'`, 'use disable, prefer, require, verify-ca or verify-full')
  }
}

/** A string that failed to parse as a URL, with anything between '://' and '@' cut (it may hold a password). */
function redact(url: string): string {
  return url.replace(/^([^:]*:\/\/)[^@/]*@/, '$1…@')
}
