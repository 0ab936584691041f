import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, hatang} from '../support/cli.js'
import {startPostgres, type PgServer} from '../support/postgres.js'

/**
 * The store server's password when neither PGPASSWORD nor ~/.pgpass gives it: typed on a terminal (a real pseudo-terminal,
 * by util-linux's script), never echoed; without a terminal, refused with what to set.
 */
let pg: PgServer
let home: string
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

beforeAll(async () => {
  pg = await startPostgres()
  pg.createDatabase('typed')
  home = mkdtempSync(path.join(os.tmpdir(), 'hatang-pw-home-'))
}, 120_000)

afterAll(() => {
  pg?.stop()
  rmSync(home, {recursive: true, force: true})
})

/** No password anywhere but what is typed: its own HOME (no ~/.pgpass), no PGPASSWORD. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {...process.env, HOME: home, NO_COLOR: '1', LANG: 'C.UTF-8'}
  for (const k of Object.keys(e)) if (k.startsWith('PG') || k.startsWith('HATANG_')) delete e[k]
  return e
}

/** Runs hatang on a pseudo-terminal, types `typed` once the prompt shows, and gives back what the terminal showed. */
function onTerminal(args: string[], typed: string): Promise<{status: number | null; screen: string}> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ')
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {env: env(), stdio: ['pipe', 'pipe', 'pipe']})
  let screen = ''
  let sent = false
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString()
    if (!sent && screen.includes('Password for ')) {
      sent = true
      child.stdin.write(`${typed}\r`)
    }
  })
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer)
      child.stdin.destroy()
      resolve({status, screen})
    }),
  )
}

describe('the store password, typed', () => {
  it('is asked once on a terminal, naming user and server, never echoed; the store opens', async () => {
    const url = pg.url('typed')
    const r = await onTerminal(['runs', 'list', '--store', url, '--json'], pg.password)
    expect(r.status, r.screen).toBe(0)
    expect(r.screen).toContain(`Password for ${pg.user}@127.0.0.1:${pg.port}/typed: `)
    expect(r.screen.match(/Password for /g)).toHaveLength(1)
    expect(r.screen).not.toContain(pg.password)
    expect(r.screen).toMatch(/"runs": \[\]/)
  })

  it('a wrong one typed is a wrong password (exit 2), and is shown nowhere', async () => {
    const wrong = 'n0t-the-Passw0rd'
    const r = await onTerminal(['runs', 'list', '--store', pg.url('typed')], wrong)
    expect(r.status, r.screen).toBe(2)
    expect(r.screen).toMatch(/password/i)
    expect(r.screen).not.toContain(wrong)
  })

  it('without a terminal nothing is asked: exit 2, saying what to set', () => {
    const r = hatang(['runs', 'list', '--store', pg.url('typed')], {env: {...env(), PGPASSWORD: ''}})
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/no password is known for user '.*' of the store's server 127\.0\.0\.1:\d+\/typed — set PGPASSWORD, or add a line .*~\/\.pgpass/)
    expect(r.stdout + r.stderr).not.toContain('Password for')
  })
})
