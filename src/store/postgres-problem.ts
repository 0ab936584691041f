import {ExitCode} from '../cli/exit-codes.js'
import type {PostgresTarget} from './postgres-target.js'
import {StoreError} from './store-error.js'

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03'])
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/

/**
 * An error met reaching or using a PostgreSQL store, as the error a command ends with (README "Exit codes"): what the
 * user must set right (wrong or missing password, missing database, refused user, TLS the server does not offer or a
 * certificate not trusted) exits 2; a server that cannot be reached or went away exits 5, as a store that cannot be
 * written. Messages name the server (host:port/database) and never a password. Anything else is returned as it is.
 */
export function postgresProblem(error: unknown, t: PostgresTarget): unknown {
  if (error instanceof StoreError) return error
  const code = String((error as {code?: unknown} | undefined)?.code ?? '')
  const message = error instanceof Error ? error.message : String(error)
  const at = `the store's server ${t.server}`
  if (code === '28P01') {
    return new StoreError(`${at} refused the password of user '${t.user}' (wrong password)`, 'set the right password in PGPASSWORD or in the line of ~/.pgpass for this server')
  }
  if (code === '28000') return new StoreError(`${at} does not let user '${t.user}' in: ${message}`, "ask the server's administrator for access (pg_hba.conf)")
  if (code === '3D000') {
    return new StoreError(`there is no database '${t.database}' on ${t.host}:${t.port}`, `create it ('createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}') or name another one with --store`)
  }
  if (code === '42501') return new StoreError(`user '${t.user}' may not do this in ${t.server}: ${message}`, 'grant the user the rights on the database, or use its owner')
  if (/does not support SSL/i.test(message)) {
    return new StoreError(`${at} does not offer TLS, and the URL asks for it (sslmode)`, 'enable TLS on the server, or use sslmode=disable on a trusted network only')
  }
  if (UNTRUSTED.test(code)) return new StoreError(`the TLS certificate of ${at} is not trusted (${code}: ${message})`, "give the CA that signed it in the URL's sslrootcert=FILE")
  // before the words below: a lock timeout's message says "timeout" too, and the server was reached
  if (code === '55P03') return new StoreError('the store is busy: another hatang has been writing to it for too long', 'try again when it is done', ExitCode.Locked)
  if (UNREACHABLE.has(code) || /timeout|terminated unexpectedly|Connection terminated/i.test(message)) {
    return new StoreError(`cannot reach ${at}: ${code || message}`, 'nothing was written; check the server runs and that --store (or HATANG_STORE) names it', ExitCode.Output)
  }
  return error
}
