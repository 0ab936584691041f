import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import net from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startPostgres, type PgServer} from '../../support/postgres.js'
import {TEST_USER} from '../../support/sshd.js'

let pg: PgServer

beforeAll(async () => {
  pg = await startPostgres()
}, 120_000)

afterAll(() => pg?.stop())

const connects = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({host, port})
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })

describe('the PostgreSQL test server', () => {
  it('is a real PostgreSQL run by the unprivileged test user from its own data folder', () => {
    expect(pg.sql('SELECT version()')).toMatch(/^PostgreSQL \d+/)
    expect(pg.sql('SHOW data_directory').trim()).toBe(pg.dataDir)
    const pid = Number(readFileSync(`${pg.dataDir}/postmaster.pid`, 'utf8').split('\n')[0])
    const owner = spawnSync('ps', ['-o', 'user=', '-p', String(pid)], {encoding: 'utf8'}).stdout.trim()
    expect(owner).toBe(TEST_USER)
  })

  it('listens on loopback only, and asks for the password', async () => {
    expect(pg.sql('SHOW listen_addresses').trim()).toBe('127.0.0.1')
    expect(await connects(pg.port, '127.0.0.1')).toBe(true)
    const wrong = spawnSync('psql', ['-X', '-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, '-d', 'postgres', '-c', 'SELECT 1'], {
      encoding: 'utf8',
      env: {...process.env, PGPASSWORD: 'not-the-password', PGCONNECT_TIMEOUT: '10'},
    })
    expect(wrong.status).not.toBe(0)
    expect(wrong.stderr).toMatch(/password authentication failed/)
  })

  it('keeps Vietnamese text and hostile strings as data, in a database of its own', () => {
    pg.createDatabase('hatang "centre"')
    pg.sql(`CREATE TABLE units (path text PRIMARY KEY, vi text)`, 'hatang "centre"')
    pg.sql(`INSERT INTO units VALUES ('tinh/ha-noi/so-noi-vu', 'Sở Nội vụ Hà Nội'), ('x''; DROP TABLE units; --', '<script>')`, 'hatang "centre"')
    expect(pg.sql(`SELECT vi FROM units ORDER BY path`, 'hatang "centre"').trim().split('\n')).toEqual(['Sở Nội vụ Hà Nội', '<script>'])
  })

  it('stops and leaves nothing behind', async () => {
    const other = await startPostgres()
    expect(await connects(other.port, '127.0.0.1')).toBe(true)
    other.stop()
    expect(existsSync(other.dataDir)).toBe(false)
    expect(await connects(other.port, '127.0.0.1')).toBe(false)
  }, 120_000)
})
