import {spawn} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import os from 'node:os'

import {OutputCapture} from './output-capture.js'
import {POSIX_SH, TransportError, type CommandTransport, type Dialect, type ExecOptions, type ExecResult} from './transport.js'

/** Options shared by transports that spawn a local process (the local machine, a chroot). */
export interface SpawnSpec {
  file: string
  args: string[]
}

/** Runs a process, collecting output with a cap, killing its whole process group on timeout. */
export function runProcess(spec: SpawnSpec, options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let child
    try {
      child = spawn(spec.file, spec.args, {
        env: {...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: 'C'},
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      })
    } catch (error) {
      reject(new TransportError(`cannot start ${spec.file}: ${(error as Error).message}`, 'ESPAWN', {cause: error}))
      return
    }

    const capture = new OutputCapture(options)
    let timedOut = false
    let settled = false
    child.stdout.on('data', capture.stdout)
    child.stderr.on('data', capture.stderr)

    const finish = (code: number | null) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      resolve(capture.result(code, timedOut))
    }

    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            if (child.pid !== undefined) killSession(child.pid)
            // a process that escaped the session may still hold our pipes: do not wait for it
            setTimeout(() => {
              child.stdout.destroy()
              child.stderr.destroy()
              finish(null)
            }, 2000).unref()
          }, options.timeoutMs)

    child.on('error', (error) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      reject(new TransportError(`cannot run ${spec.file}: ${error.message}`, 'ESPAWN', {cause: error}))
    })
    child.on('close', (code) => finish(code))

    child.stdin.on('error', () => {
      // the command may exit without reading its input; that is not a plumbing failure
    })
    child.stdin.end(options.stdin ?? '')
  })
}

/**
 * Kills a session leader's whole session: its process group, and the groups its descendants made
 * (GNU timeout puts each command in a group of its own), so nothing is left running or holding our pipes.
 */
export function killSession(sid: number): void {
  const kill = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  kill(-sid)
  if (process.platform !== 'linux') return
  let entries: string[] = []
  try {
    entries = readdirSync('/proc')
  } catch {
    return
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // fields after the command name (which may contain spaces) start after the last ')'
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[3]) === sid) kill(Number(name))
    } catch {
      // exited meanwhile
    }
  }
}

/** The local machine, through /bin/sh; `wrapper` prefixes the shell (e.g. setpriv to drop privileges). Windows has no POSIX shell: no dialect. */
export class LocalTransport implements CommandTransport {
  readonly kind = 'local' as const
  readonly target = os.hostname()
  readonly platform = process.platform
  readonly dialects: readonly Dialect[] = process.platform === 'win32' ? [] : [POSIX_SH]
  readonly piped = true

  constructor(private readonly wrapper: readonly string[] = []) {}

  exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const [file, ...args] = [...this.wrapper, '/bin/sh', '-c', command]
    return runProcess({file: file!, args}, options)
  }

  async close(): Promise<void> {}
}
