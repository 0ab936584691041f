import type {LimitChange} from '../collect/adaptive-limit.js'
import type {HostOutcome} from '../collect/sweep.js'
import type {HostSpec} from '../hosts/model.js'
import {isCollected, type HostStatus} from '../model/host-status.js'
import {terminalText} from '../report/terminal-text.js'
import type {OutputStyle} from './output-style.js'

export interface SweepProgress {
  start(host: HostSpec): void
  done(outcome: HostOutcome): void
  /** The number of hosts at once changed (adaptive sweep). */
  limit(change: LimitChange): void
  /** A host timed out under saturation and will be collected again. */
  retry(host: HostSpec, why: string): void
  finish(): Promise<void>
}

/**
 * The lines an adaptive sweep's changes of the number of hosts at once are worth: every cut, and a raise once the
 * limit grew by a quarter since the last line, or reached the ceiling (one host at a time would be a line a second).
 */
export class LimitLines {
  private said: number | undefined
  constructor(readonly ceiling: number) {}

  /** The line for this change, or undefined when it is not worth one. */
  line(c: LimitChange): string | undefined {
    const cut = c.to < c.from
    if (!cut && this.said !== undefined && c.to < this.ceiling && c.to < this.said * 1.25) return undefined
    const from = cut || this.said === undefined ? c.from : this.said
    this.said = c.to
    return `hosts at once: ${from} → ${c.to} of at most ${this.ceiling} (${cut ? 'saturated' : 'healthy'}: ${c.reason})`
  }
}

/** A host put aside for a second attempt, as a line says it. */
export const retryLine = (host: HostSpec, why: string): string => `${host.name} will be collected again: ${terminalText(why)}`

/** What a one-line channel shows of a host's reason: its first line (it says it all), safe for a terminal or a log. */
export function reasonLine(reason: string | undefined): string {
  return reason ? terminalText(reason.split('\n')[0]) : ''
}

export function statusPainter(style: OutputStyle): (status: HostStatus, text: string) => string {
  const c = style.color
  return (status, text) => (status === 'ok' ? c.green(text) : status === 'partial' ? c.yellow(text) : c.red(text))
}

/** Counts, in-flight hosts, the hosts allowed at once and an ETA from the mean host time so far. */
export class SweepCounter {
  readonly started = Date.now()
  readonly counts = new Map<HostStatus, number>()
  readonly running = new Set<string>()
  done = 0
  private totalMs = 0
  /** Hosts allowed at once now: the ceiling until an adaptive sweep says otherwise. */
  limit: number
  constructor(readonly total: number, readonly concurrency: number) {
    this.limit = concurrency
  }
  start(host: HostSpec) {
    this.running.add(host.name)
  }
  finish(o: HostOutcome) {
    this.running.delete(o.host.name)
    this.done++
    this.totalMs += o.durationMs
    this.counts.set(o.status, (this.counts.get(o.status) ?? 0) + 1)
  }
  etaSeconds(): number | undefined {
    if (this.done === 0) return undefined
    const elapsed = (Date.now() - this.started) / 1000
    return Math.max(0, Math.round((elapsed / this.done) * (this.total - this.done)))
  }
  line(): string {
    const parts = [...this.counts].map(([s, n]) => `${n} ${s}`)
    const eta = this.etaSeconds()
    const held = this.limit < Math.min(this.concurrency, this.total - this.done) ? ` (at most ${this.limit} at once)` : ''
    return `${this.done}/${this.total} hosts${parts.length ? ` (${parts.join(', ')})` : ''}, ${this.running.size} running${held}${eta === undefined || this.done === this.total ? '' : `, ETA ${eta} s`}`
  }
}

/** Plain timestamped lines on stderr: one per host as it finishes, for cron and logs. */
export function lineSweepProgress(counter: SweepCounter, style: OutputStyle, out: NodeJS.WritableStream = process.stderr): SweepProgress {
  const paint = statusPainter(style)
  const lines = new LimitLines(Math.min(counter.concurrency, counter.total))
  return {
    start: (h) => counter.start(h),
    done(o) {
      counter.finish(o)
      const reason = o.reason ? `: ${reasonLine(o.reason)}` : ''
      out.write(`${new Date().toISOString()} ${o.host.name} ${paint(o.status, o.status)}${reason} (${(o.durationMs / 1000).toFixed(1)} s) [${counter.done}/${counter.total}]\n`)
    },
    limit(c) {
      counter.limit = c.to
      const line = lines.line(c)
      if (line) out.write(`${new Date().toISOString()} ${line}\n`)
    },
    retry(h, why) {
      out.write(`${new Date().toISOString()} ${retryLine(h, why)}\n`)
    },
    finish: async () => {
      out.write(`${new Date().toISOString()} sweep finished: ${counter.line()} in ${((Date.now() - counter.started) / 1000).toFixed(1)} s\n`)
    },
  }
}

/**
 * listr2 on a terminal: a line per host while they fit on the screen; beyond a screenful, one line of
 * counts with the ETA and the hosts under way, failures listed as they come.
 */
export async function taskSweepProgress(counter: SweepCounter, hosts: readonly HostSpec[], style: OutputStyle): Promise<SweepProgress> {
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
  const rows = process.stderr.rows || 24
  const perHost = hosts.length <= Math.max(5, rows - 6)
  const paint = statusPainter(style)
  const waiters = new Map<string, (o: HostOutcome) => void>()
  const outcomes = new Map<string, Promise<HostOutcome>>()
  for (const h of hosts) outcomes.set(h.name, new Promise((resolve) => waiters.set(h.name, resolve)))
  let allDone!: () => void
  const finished = new Promise<void>((resolve) => (allDone = resolve))
  let update: (() => void) | undefined
  const failures: string[] = []
  const tasks = perHost
    ? hosts.map((h) => ({
        title: h.name,
        task: async (_: unknown, t: {title: string; skip: (m?: string) => void}) => {
          const o = await outcomes.get(h.name)!
          t.title = `${h.name} — ${paint(o.status, o.status)}${o.reason ? ` (${reasonLine(o.reason)})` : ''} ${(o.durationMs / 1000).toFixed(1)} s`
          if (!isCollected(o.status)) t.skip(t.title)
        },
      }))
    : [
        {
          title: `Sweeping ${hosts.length} hosts`,
          task: async (_: unknown, t: {title: string; output: string}) => {
            update = () => {
              t.title = `Sweeping: ${counter.line()}`
              const running = [...counter.running].slice(0, 5).join(', ')
              t.output = [...failures.slice(-Math.max(1, rows - 10)), running ? `under way: ${running}${counter.running.size > 5 ? ', …' : ''}` : ''].filter(Boolean).join('\n')
            }
            update()
            await finished
            update()
          },
        },
      ]
  const list = new Listr(tasks as never, {
    concurrent: true,
    exitOnError: false,
    fallbackRendererCondition: false,
    forceTTY: true,
    rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)}), collapseSubtasks: false, persistentOutput: true} as never,
  })
  const running = list.run().catch(() => undefined)
  return {
    start(h) {
      counter.start(h)
      update?.()
    },
    limit(c) {
      counter.limit = c.to
      update?.()
    },
    retry(h, why) {
      failures.push(`${style.color.yellow('↻')} ${retryLine(h, why)}`)
      update?.()
    },
    done(o) {
      counter.finish(o)
      if (!isCollected(o.status)) failures.push(`${paint(o.status, '✖')} ${o.host.name}: ${o.status}${o.reason ? ` — ${reasonLine(o.reason)}` : ''}`)
      waiters.get(o.host.name)?.(o)
      update?.()
    },
    finish: async () => {
      allDone()
      await running
    },
  }
}
