import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {acquireRunLock, LockedError} from '../../../src/cli/run-lock.js'
import {processStart} from '../../../src/store/process-identity.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-lock-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('run lock', () => {
  it('is exclusive while held, names its holder, and is released', () => {
    const file = path.join(dir, 'a', 'audit.lock')
    const lock = acquireRunLock(file, 'hatang audit')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({pid: process.pid, host: os.hostname(), command: 'hatang audit'})
    expect(() => acquireRunLock(file, 'again')).toThrow(LockedError)
    expect(() => acquireRunLock(file, 'again')).toThrow(new RegExp(`another hatang audit is running \\(pid ${process.pid} on `))
    lock.release()
    expect(existsSync(file)).toBe(false)
    acquireRunLock(file, 'after').release()
  })

  it('refuses a lock held by another live process and takes over one whose process is gone', async () => {
    const file = path.join(dir, 'b.lock')
    const child = spawn('sleep', ['30'])
    const holder = {pid: child.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: 'other'}
    writeFileSync(file, JSON.stringify(holder))
    expect(() => acquireRunLock(file, 'me')).toThrow(new RegExp(`pid ${child.pid}`))
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    const lock = acquireRunLock(file, 'me')
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid)
    lock.release()
  })

  it('takes over a lock whose pid now belongs to another process (reused after a reboot or a kill)', async () => {
    const file = path.join(dir, 'e.lock')
    const child = spawn('sleep', ['30'])
    const start = processStart(child.pid!)
    expect(start).not.toBeNull()
    try {
      // the same live pid: held while the start matches, stale once it does not
      writeFileSync(file, JSON.stringify({pid: child.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: 'other', start}))
      expect(() => acquireRunLock(file, 'me')).toThrow(LockedError)
      writeFileSync(file, JSON.stringify({pid: child.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'before the reboot', start: start! - 1}))
      const lock = acquireRunLock(file, 'me')
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({pid: process.pid, start: processStart(process.pid)})
      lock.release()
    } finally {
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
    }
  })

  it('respects a lock from another host (a shared folder), whatever its pid', () => {
    const file = path.join(dir, 'c.lock')
    writeFileSync(file, JSON.stringify({pid: 999_999_999, host: 'elsewhere.example', startedAt: '2026-01-01T00:00:00Z', command: 'x'}))
    expect(() => acquireRunLock(file, 'me')).toThrow(/pid 999999999 on elsewhere\.example/)
  })

  it('is released when the process exits', () => {
    const file = path.join(dir, 'd.lock')
    // the built module (npm test builds first), in a process that exits without releasing
    const script = `import(${JSON.stringify(path.resolve('dist/src/cli/run-lock.js'))}).then((m) => { m.acquireRunLock(${JSON.stringify(file)}, 'child'); process.exit(0) })`
    const r = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    expect(existsSync(file)).toBe(false)
  })
})
