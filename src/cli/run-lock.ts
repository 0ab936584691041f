import {linkSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {processGone, processStart} from '../store/process-identity.js'
import {ExitCode} from './exit-codes.js'
import {fsProblem, isFsError} from './fs-problem.js'
import {ensureDirSync} from '../files/make-dir.js'
import {OutputError} from './output-error.js'

/** Who holds a lock: written into the lock file as JSON. */
export interface LockHolder {
  pid: number
  host: string
  startedAt: string
  command: string
  /** The holder's start in clock ticks since boot (see processStart): a reused pid is not the holder. */
  start?: number | null
}

/** Another live process holds the lock: exit 4. */
export class LockedError extends Error {
  readonly exitCode = ExitCode.Locked
  readonly hint = 'wait for it to finish; a lock left by a process that is gone is taken over'

  constructor(
    readonly file: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `another hatang audit is running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}); lock: ${file}`
        : `another hatang audit holds the lock ${file}`,
    )
    this.name = 'LockedError'
  }
}

/** The lock file cannot be made (read-only filesystem, a file where its folder should be, permissions): exit 5. */
export class LockFileError extends OutputError {
  constructor(
    readonly file: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`cannot create the lock file ${file}: ${fsProblem(cause, file)}`, 'choose a writable place with --store, or --lock FILE')
    this.name = 'LockFileError'
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>
    return typeof v.pid === 'number' && typeof v.host === 'string' ? (v as LockHolder) : undefined
  } catch {
    return undefined
  }
}

export interface RunLock {
  file: string
  release(): void
}

/**
 * Takes an exclusive lock for one run: the lock file is created atomically (written aside, then
 * hard-linked into place, which fails if it exists). A lock left by a process that is gone (killed,
 * crashed, machine rebooted) is taken over; one held by a live process on this host throws LockedError.
 * A lock from another host (shared folder) is respected. Released on release() or at process exit. A lock file
 * that cannot be made (read-only filesystem, a file in the way, permissions) throws LockFileError.
 */
export function acquireRunLock(file: string, command: string): RunLock {
  const me: LockHolder = {pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command, start: processStart(process.pid)}
  const temp = `${file}.${process.pid}.tmp`
  try {
    ensureDirSync(path.dirname(file))
    writeFileSync(temp, `${JSON.stringify(me)}\n`)
  } catch (error) {
    if (isFsError(error)) throw new LockFileError(file, error)
    throw error
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, file)
        break
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw isFsError(error) ? new LockFileError(file, error) : error
        const holder = readHolder(file)
        const stale = holder !== undefined && holder.host === me.host && processGone(holder.pid, holder.start ?? null)
        if (!stale || attempt > 0) throw new LockedError(file, holder)
        rmSync(file, {force: true})
      }
    }
  } finally {
    rmSync(temp, {force: true})
  }
  let held = true
  const release = () => {
    if (!held) return
    held = false
    process.off('exit', release)
    if (readHolder(file)?.pid === process.pid) {
      try {
        unlinkSync(file)
      } catch {
        // already gone
      }
    }
  }
  process.on('exit', release)
  return {file, release}
}
