import {readFileSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** What a password is looked up for (libpq's key of a ~/.pgpass line). */
export interface PasswordKey {
  host: string
  port: number
  database: string
  user: string
}

/**
 * The password for a PostgreSQL connection as libpq finds it: $PGPASSWORD, else the first matching line
 * `host:port:database:user:password` (`*` matches anything, `\:` and `\\` escape) of $PGPASSFILE or ~/.pgpass, a file
 * libpq (and hatang) ignores unless only its owner can read it. Undefined when none is known.
 */
export function lookUpPassword(key: PasswordKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PGPASSWORD) return env.PGPASSWORD
  const file = env.PGPASSFILE || path.join(os.homedir(), '.pgpass')
  let text: string
  try {
    if ((statSync(file).mode & 0o077) !== 0) return undefined
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  const wanted = [key.host, String(key.port), key.database, key.user]
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || line.trim() === '') continue
    const fields = splitLine(line)
    if (fields.length < 5) continue
    if (wanted.every((w, i) => fields[i] === '*' || fields[i] === w || (i === 0 && fields[0] === 'localhost' && w.startsWith('/')))) return fields[4]
  }
  return undefined
}

function splitLine(line: string): string[] {
  const fields: string[] = []
  let field = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === '\\' && i + 1 < line.length) field += line[++i]
    else if (c === ':' && fields.length < 4) {
      fields.push(field)
      field = ''
    } else field += c
  }
  fields.push(field)
  return fields
}
