import {spawnSync} from 'node:child_process'
import {appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {median} from '../src/model/median.js'

/** One command under test, as a user runs it. */
export interface Contender {
  name: string
  command: string[]
  env?: NodeJS.ProcessEnv
  /** Exit codes that mean the run did its job (default: 0 only). */
  okExits?: readonly number[]
  /** Run before each measured run, untimed (to empty a cache for a cold run). */
  before?: () => void
  /** How many hosts ended ok, from what the command printed (for tools that say it only there). */
  hostsOk?: (stdout: string) => number
}

export interface Sample {
  wallMs: number
  cpuMs: number
  maxRssKb: number
  exitCode: number | null
  /** The end of what the command printed (stdout, then stderr), to say why it failed. */
  tail: string
  /** Hosts that ended ok, when the contender can tell (Contender.hostsOk). */
  hostsOk?: number
}

/** Runs the command under /usr/bin/time -v: whole-process wall time, user+sys CPU, peak RSS. */
export function measure(c: Contender): Sample {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-bench-'))
  const timeFile = path.join(dir, 'time')
  try {
    c.before?.()
    const t0 = performance.now()
    const r = spawnSync('/usr/bin/time', ['-v', '-o', timeFile, ...c.command], {env: {...process.env, ...c.env}, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 << 20})
    const wallMs = performance.now() - t0
    return {
      wallMs,
      ...timeFigures(readFileSync(timeFile, 'utf8')),
      exitCode: r.status,
      tail: `${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-3000),
      ...(c.hostsOk ? {hostsOk: c.hostsOk(r.stdout ?? '')} : {}),
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** User+sys CPU and peak RSS from what `/usr/bin/time -v -o FILE` wrote. */
export function timeFigures(t: string): {cpuMs: number; maxRssKb: number} {
  const num = (re: RegExp) => Number(re.exec(t)?.[1] ?? Number.NaN)
  return {
    cpuMs: (num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/)) * 1000,
    maxRssKb: num(/Maximum resident set size \(kbytes\): (\d+)/),
  }
}

// the benches' medians are the model's (bench files import it from here)
export {median}

/** Runs the contenders alternately (A B C A B C …) after one warm-up each, so noise hits them alike. */
export function alternate(contenders: Contender[], runs: number): Map<string, Sample[]> {
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]))
  for (const c of contenders) measure(c) // warm-up: page cache and Node's compile cache warm for all
  for (let i = 0; i < runs; i++) {
    for (const c of contenders) {
      const s = measure(c)
      if (s.exitCode !== 0) throw new Error(`${c.name} exited ${s.exitCode}: ${c.command.join(' ')}`)
      samples.get(c.name)!.push(s)
    }
  }
  return samples
}

export function machine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`
}

/** A markdown table of medians, with each row's ratio against the reference contender. */
export function table(samples: Map<string, Sample[]>, reference: string): string {
  const ref = median(samples.get(reference)!.map((s) => s.wallMs))
  const refCpu = median(samples.get(reference)!.map((s) => s.cpuMs))
  const rows = [
    '| command | runs | wall median (ms) | wall min–max (ms) | CPU median (ms) | CPU vs ' + reference + ' | peak RSS (MB) | speed vs ' + reference + ' |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const [name, ss] of samples) {
    const walls = ss.map((s) => s.wallMs)
    const m = median(walls)
    rows.push(
      `| ${name} | ${ss.length} | ${m.toFixed(0)} | ${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)} | ${median(ss.map((s) => s.cpuMs)).toFixed(0)} | ${(median(ss.map((s) => s.cpuMs)) / refCpu).toFixed(2)}× | ${(Math.max(...ss.map((s) => s.maxRssKb)) / 1024).toFixed(0)} | ${name === reference ? '1.00×' : `${(ref / m).toFixed(2)}×`} |`,
    )
  }
  return rows.join('\n')
}

export function appendResults(title: string, command: string, body: string): void {
  const file = path.resolve(import.meta.dirname, '../../bench/RESULTS.md')
  if (!existsSync(file)) writeFileSync(file, '# Benchmark results\n\nAppended by the bench scripts; newest last. See ../shared/BENCHMARKS.md for the rules.\n')
  appendFileSync(file, `\n## ${title} — ${new Date().toISOString()}\n\nMachine: ${machine()}\n\nCommand: \`${command}\`\n\n${body}\n`)
}
