import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import path from 'node:path'

import {BIN} from '../test/support/bin.js'
import type {Site} from './estate-sites.js'
import {timeFigures} from './measure.js'

/** One `hatang push` of one site, as /usr/bin/time saw it. */
export interface PushSample {
  site: string
  wallMs: number
  cpuMs: number
  maxRssKb: number
  exitCode: number | null
  /** Hosts the push says it sent (its --json), 0 when it failed. */
  hosts: number
  /** The end of what it printed, to say why it failed. */
  tail: string
}

/** The push processes running now, so that a bench stopped by a signal stops them too. */
const running = new Set<ChildProcess>()

/** Ends every push process still running (SIGTERM). */
export function stopPushes(): void {
  for (const child of running) child.kill('SIGTERM')
}

export interface PoolOutcome {
  wallMs: number
  samples: PushSample[]
}

/**
 * `pushers` worker loops, each taking the next site off one shared queue and running the real CLI
 * `hatang push --store SITE.db --to TO --json` (under /usr/bin/time -v), until every site was pushed.
 * `env` carries the password (PGPASSWORD), never the URL; /usr/bin/time writes into a folder made in `workDir`.
 */
export async function pushAll(sites: readonly Site[], to: string, pushers: number, env: NodeJS.ProcessEnv, workDir: string): Promise<PoolOutcome> {
  const queue = [...sites]
  const samples: PushSample[] = []
  // in the bench's own folder, so that it goes with it even when a signal ends the bench
  const times = mkdtempSync(path.join(workDir, 'push-times-'))
  try {
    const t0 = performance.now()
    await Promise.all(
      Array.from({length: pushers}, async (_, w) => {
        for (let site = queue.shift(); site; site = queue.shift()) samples.push(await pushOne(site, to, env, path.join(times, `w${w}`)))
      }),
    )
    return {wallMs: performance.now() - t0, samples}
  } finally {
    rmSync(times, {recursive: true, force: true})
  }
}

function pushOne(site: Site, to: string, env: NodeJS.ProcessEnv, timeFile: string): Promise<PushSample> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, BIN, 'push', '--store', site.file, '--to', to, '--json'], {
      env: {...process.env, ...env, NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running.add(child)
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.once('close', (exitCode) => {
      running.delete(child)
      const wallMs = performance.now() - t0
      let hosts = 0
      try {
        hosts = (JSON.parse(out) as {pushed: {hosts: number}[]}).pushed.reduce((n, p) => n + p.hosts, 0)
      } catch {
        // not JSON: the push failed, its stderr says why
      }
      let figures = {cpuMs: Number.NaN, maxRssKb: Number.NaN}
      try {
        figures = timeFigures(readFileSync(timeFile, 'utf8'))
      } catch {
        // /usr/bin/time wrote nothing: the child did not start
      }
      resolve({site: site.name, wallMs, ...figures, exitCode, hosts, tail: `${out}${err}`.slice(-2000)})
    })
  })
}
