import path from 'node:path'

import type {OpenOptions} from '../store/contract.js'
import {StoreError} from '../store/store-error.js'
import {isPostgresUrl, openStore, type Store} from '../store/store.js'
import {postgresTarget} from '../store/postgres-target.js'

/** One run pushed: its id here, its uuid, its id at the centre, its hosts, and whether the centre had it already. */
export interface PushedRun {
  run: number
  uuid: string
  centreRun: number
  hosts: number
  already: boolean
}

export interface PushOutcome {
  /** The centre as host:port/database (no user, no password), or its file. */
  target: string
  pushed: PushedRun[]
}

/**
 * How long a push waits for the centre while other sites' pushes hold it: the centre stores one run at a time (each in
 * one transaction holding its runs and hosts tables), so with many sites pushing a push queues behind the others'
 * runs; the 10 s a writer waits for a store on this machine would fail a site whenever ten others push at once.
 */
export const CENTRE_BUSY_MS = 300_000

/** The centre's identity as a site records it: host:port/database for a server (never a user or password), else the file. */
export function pushTarget(to: string): string {
  return isPostgresUrl(to) ? postgresTarget(to).server : path.resolve(to)
}

/**
 * Sends runs of the `local` store to the centre store `to` (hatang push, README "Pushing runs to a centre"): the runs
 * named, or else every complete run not yet recorded as pushed there, oldest first. Each run goes in one transaction
 * at the centre (all its rows or none; a uuid already there is not stored twice) and is then recorded locally, so the
 * next push sends the rest. The first run that fails stops the push with its error; those before it stay pushed.
 */
export async function pushRuns(local: Store, to: string, runIds: readonly number[] | undefined, onPushed: (p: PushedRun) => void = () => undefined, open: OpenOptions = {}): Promise<PushOutcome> {
  const target = pushTarget(to)
  const runs = runIds ? await Promise.all(runIds.map((id) => local.completeRun(id))) : await unpushed(local, target)
  const pushed: PushedRun[] = []
  if (runs.length === 0) return {target, pushed}
  const centre = await openStore(to, {busyTimeoutMs: CENTRE_BUSY_MS, ...open}).catch((error: unknown) => {
    throw atCentre(error)
  })
  try {
    for (const r of runs) {
      const bundle = await local.runBundle(r.id)
      const received = await centre.receiveRun(bundle).catch((error: unknown) => {
        throw notPushed(r.id, bundle.uuid, error)
      })
      await local.recordPush(r.id, target, received.run)
      const p = {run: r.id, uuid: bundle.uuid, centreRun: received.run, hosts: bundle.snapshots.length, already: received.already}
      pushed.push(p)
      onPushed(p)
    }
  } finally {
    await centre.close()
  }
  return {target, pushed}
}

/** The complete runs of `local` not recorded as pushed to `target`, oldest first. */
async function unpushed(local: Store, target: string) {
  const done = new Set((await local.pushedTo(target)).map((p) => p.run))
  return (await local.listRuns()).filter((r) => !done.has(r.id)).reverse()
}

/** The centre's store could not be opened: its problem (what, exit code), with what to do for a push. */
function atCentre(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error
  const hint = error.exitCode === 5 ? "nothing was pushed and the runs stay here; push again when the centre answers ('hatang push --to URL')" : error.hint
  return new StoreError(`the centre: ${error.message}`, hint, error.exitCode)
}

/** A run's failure to reach the centre, saying which run; a StoreError keeps its hint and exit code. */
function notPushed(run: number, uuid: string, error: unknown): unknown {
  if (!(error instanceof StoreError)) return error
  return new StoreError(`run ${run} (uuid ${uuid}) was not pushed: ${error.message}`, error.hint, error.exitCode)
}
