import path from 'node:path'

import {hatangStateDir} from '../cli/xdg-paths.js'
import {isPostgresUrl, postgresTarget} from './postgres-target.js'

/**
 * Where an audit's lock file is by default: beside an SQLite store (its file + .lock); for a PostgreSQL store, a local
 * file in hatang's state folder named after the server and database (audits of this machine into one database take
 * turns, into different ones do not).
 */
export function defaultLockPath(store: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isPostgresUrl(store)) return `${store}.lock`
  const t = postgresTarget(store, env)
  return path.join(hatangStateDir(env), `audit-postgres-${`${t.host}-${t.port}-${t.database}`.replace(/[^\w.-]/g, '_')}.lock`)
}
