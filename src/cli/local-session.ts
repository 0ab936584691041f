import {probes} from '../../inventory/index.js'
import {collectHost} from '../collect/collect-host.js'
import {nativeOptionOf} from '../collect/native/sections.js'
import type {SectionSelection} from '../model/section-selection.js'
import type {Snapshot} from '../model/snapshot.js'
import {LocalTransport} from '../transport/local-transport.js'
import {outputStyle} from './output-style.js'
import {lineProgress, silentProgress, taskProgress} from './progress.js'
import {listenForStop} from './stop-signals.js'

export interface LocalSessionOptions {
  quiet: boolean
  /** Read the hardware with systeminformation: always, never, or (undefined) where no probe reads it (nativeSectionsWanted). */
  native: boolean | undefined
  commandTimeoutS: number
  /** The sections asked for (--sections, --skip); default every section. */
  selection?: SectionSelection
}

/**
 * This machine's collection as the terminal sees it: progress on stderr (tasks on a TTY, timestamped lines
 * otherwise, nothing with quiet), and Ctrl-C or SIGTERM that lets the collection finish, so that it is stored and
 * reported (the audit then exits 130); a second signal quits at once. The local counterpart of sweepSession.
 */
export async function localSession(o: LocalSessionOptions): Promise<{snapshot: Snapshot; interrupted: boolean}> {
  const stop = listenForStop('finishing this machine, then storing and reporting it')
  const snapshot = await collectLocal(o).finally(() => stop.release())
  return {snapshot, interrupted: stop.received}
}

async function collectLocal({quiet, native, commandTimeoutS, selection}: LocalSessionOptions): Promise<Snapshot> {
  const transport = new LocalTransport()
  const style = outputStyle(process.stderr)
  const asked = probes.filter((p) => !selection?.skipped.includes(p.id))
  const progress = quiet ? silentProgress() : style.interactive ? await taskProgress(transport.target, asked) : lineProgress(transport.target, style)
  const snapshot = await collectHost(transport, {
    ...nativeOptionOf(native, probes),
    ...(selection ? {selection} : {}),
    commandTimeoutMs: commandTimeoutS * 1000,
    onProbeStart: (p) => progress.start(p),
    onProbeDone: (e) => progress.done(e),
  })
  await progress.finish()
  return snapshot
}
