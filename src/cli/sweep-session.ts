import {askSecrets} from './ask-secrets.js'
import {outputStyle} from './output-style.js'
import {listenForStop} from './stop-signals.js'
import {lineSweepProgress, SweepCounter, taskSweepProgress, type SweepProgress} from './sweep-progress.js'
import type {LimitChange} from '../collect/adaptive-limit.js'
import {sweep, type HostOutcome, type HostResult} from '../collect/sweep.js'
import {groupWarnings, renderWarnings, type GroupedWarning} from '../hosts/inventory-warnings.js'
import type {HostSpec} from '../hosts/model.js'
import type {SectionSelection} from '../model/section-selection.js'

export interface SweepSessionOptions {
  concurrency: number
  commandTimeoutS: number
  connectTimeoutS: number
  acceptNew: boolean
  quiet: boolean
  /** The sections asked for (--sections, --skip); default every section. */
  selection?: SectionSelection
  /** Each host's outcome, snapshot included, as it finishes (write it out; it is not kept). */
  onHostDone: (outcome: HostOutcome) => void
  /** The number of hosts at once changed, with the ceiling (`concurrency`); a log says so. */
  onLimit?: (change: LimitChange) => void
  /** A host will be collected again, and why; a log says so. */
  onHostRetry?: (host: HostSpec, why: string) => void
}

/**
 * Adaptive concurrency, unless HATANG_ADAPTIVE=0: for benchmarks that compare with always `--concurrency` hosts at
 * once (and no retry).
 */
const adaptive = () => process.env.HATANG_ADAPTIVE !== '0'

/**
 * A sweep as the terminal sees it: first, once, what the inventory says that hatang does not do for these hosts
 * (ignored or refused ssh options, missing key files…) on stderr, even with quiet; then progress on stderr (tasks
 * on a TTY, timestamped lines otherwise, nothing with quiet), and Ctrl-C that stops starting hosts while those
 * under way finish (a second Ctrl-C quits at once). Shared by `sweep` and `audit`, which get the warnings back.
 */
export async function sweepSession(
  hosts: readonly HostSpec[],
  o: SweepSessionOptions,
): Promise<{outcomes: HostResult[]; interrupted: boolean; warnings: GroupedWarning[]}> {
  const errStyle = outputStyle(process.stderr)
  const warnings = groupWarnings(hosts)
  if (warnings.length) process.stderr.write(`${renderWarnings(warnings, errStyle.color)}\n`)
  // asked before any progress is drawn and any host contacted; nothing is asked without a terminal
  const secrets = await askSecrets(hosts)
  const counter = new SweepCounter(hosts.length, o.concurrency)
  const progress: SweepProgress = o.quiet
    ? {start: (h) => counter.start(h), done: (x) => counter.finish(x), limit: (c) => (counter.limit = c.to), retry: () => undefined, finish: async () => {}}
    : errStyle.interactive
      ? await taskSweepProgress(counter, hosts, errStyle)
      : lineSweepProgress(counter, errStyle)
  const abort = new AbortController()
  // SIGTERM (systemctl stop, a cron wrapper's timeout) is a Ctrl-C that no terminal sent
  const stop = listenForStop('finishing the hosts under way, starting no more', () => abort.abort())
  const outcomes = await sweep(hosts, {
    concurrency: o.concurrency,
    adaptive: adaptive(),
    commandTimeoutS: o.commandTimeoutS,
    connectTimeoutS: o.connectTimeoutS,
    acceptNew: o.acceptNew,
    ...(o.selection ? {collect: {selection: o.selection}} : {}),
    secrets,
    signal: abort.signal,
    onHostStart: (h) => progress.start(h),
    onHostDone: (x: HostOutcome) => {
      o.onHostDone(x)
      progress.done(x)
    },
    onLimit: (c) => {
      progress.limit(c)
      o.onLimit?.(c)
    },
    onHostRetry: (h, why) => {
      progress.retry(h, why)
      o.onHostRetry?.(h, why)
    },
  }).finally(() => stop.release())
  await progress.finish()
  return {outcomes, interrupted: abort.signal.aborted, warnings}
}
