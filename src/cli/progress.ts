import type {ProbeEvent, SectionLabel} from '../collect/collect-host.js'
import type {OutputStyle} from './output-style.js'

/** Receives collection events; shows them as listr2 tasks on a TTY, plain timestamped lines otherwise. */
export interface Progress {
  start(section: SectionLabel): void
  done(event: ProbeEvent): void
  finish(): Promise<void>
}

const symbol = {ok: '✔', partial: '◐', unavailable: '○', error: '✖', timeout: '⧗', skipped: '-'} as const

export function describeEvent(e: ProbeEvent): string {
  return `${e.title} — ${e.status}${e.reason ? ` (${e.reason})` : ''} ${e.durationMs} ms${e.source === 'native' ? ' [native]' : ''}`
}

export function silentProgress(): Progress {
  return {start() {}, done() {}, finish: async () => {}}
}

/** Plain lines on stderr, one per finished section: for cron, logs and pipes. */
export function lineProgress(label: string, style: OutputStyle, out: NodeJS.WritableStream = process.stderr): Progress {
  const c = style.color
  const paint = {ok: c.green, partial: c.yellow, unavailable: c.dim, error: c.red, timeout: c.red, skipped: c.dim} as const
  return {
    start() {},
    done(e) {
      out.write(`${new Date().toISOString()} ${label} ${paint[e.status](`${symbol[e.status]} ${e.id}`)} ${describeEvent(e)}\n`)
    },
    finish: async () => {},
  }
}

/** listr2 tasks on stderr, one per section, finishing as results arrive. */
export async function taskProgress(label: string, probes: readonly SectionLabel[]): Promise<Progress> {
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
  const waiting = new Map<string, {resolve: (e: ProbeEvent) => void}>()
  const results = new Map<string, Promise<ProbeEvent>>()
  for (const p of probes) results.set(p.id, new Promise((resolve) => waiting.set(p.id, {resolve})))
  const list = new Listr(
    [
      {
        title: `Collecting ${label}`,
        task: (_ctx, task) =>
          task.newListr(
            probes.map((p) => ({
              title: p.title,
              task: async (_c: unknown, t: {title: string; skip: (m?: string) => void}) => {
                const e = await results.get(p.id)!
                t.title = describeEvent(e)
                if (e.status === 'error' || e.status === 'timeout') t.skip(describeEvent(e))
              },
            })),
            {concurrent: true, exitOnError: false, rendererOptions: {collapseSubtasks: false}},
          ),
      },
    ],
    {
      // we already decided this is a terminal (stderr); listr2 alone would look at stdout
      fallbackRendererCondition: false,
      forceTTY: true,
      rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})},
      exitOnError: false,
    },
  )
  const running = list.run().catch(() => undefined)
  return {
    start() {},
    done(e) {
      waiting.get(e.id)?.resolve(e)
    },
    finish: async () => {
      for (const [id, w] of waiting) w.resolve({id, title: id, status: 'error', reason: 'not collected', durationMs: 0, source: 'probe'})
      await running
    },
  }
}
