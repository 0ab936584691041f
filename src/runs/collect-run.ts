import {Chalk} from 'chalk'

import type {AuditLog} from '../cli/audit-log.js'
import {localSession} from '../cli/local-session.js'
import {LimitLines, retryLine} from '../cli/sweep-progress.js'
import {sweepSession} from '../cli/sweep-session.js'
import {formatWarning, groupWarnings} from '../hosts/inventory-warnings.js'
import type {RunWriter} from '../store/store.js'
import type {AuditPlan} from './audit-plan.js'
import type {HostKeeper, KeptHost} from './host-keeper.js'

/**
 * Collects an audit's hosts — every host of the plan (sweepSession), or this machine (localSession) — each snapshot,
 * as it comes, stored in the run and taken by the keeper (checked, what the report shows read), then let go; logs
 * each host's status. Ctrl-C or SIGTERM lets the hosts under way finish (`interrupted`); they are stored and kept
 * like the others. Returns what was kept of each host, in the order they came.
 */
export async function collectRun(plan: AuditPlan, writer: RunWriter, keeper: HostKeeper, log: AuditLog): Promise<{hosts: KeptHost[]; interrupted: boolean}> {
  const {request: r, hosts} = plan
  // what the inventory asks that hatang does not do (ignored ssh options, missing key files): in the log too
  for (const w of hosts ? groupWarnings(hosts) : []) log.line(`inventory: ${formatWarning(w, new Chalk({level: 0}))}`)
  if (hosts) {
    // each host kept as it comes (its earlier disk readings read from the store first), in the order they came
    const kept: Promise<KeptHost>[] = []
    // each snapshot is stored as its host finishes, one write after another; a write that fails stops the others
    // and fails the audit once the hosts under way are done (the run is then abandoned, never half-finished)
    let writes: Promise<void> = Promise.resolve()
    const limits = new LimitLines(Math.min(r.concurrency, hosts.length))
    const {interrupted} = await sweepSession(hosts, {
      concurrency: r.concurrency,
      commandTimeoutS: r.commandTimeoutS,
      connectTimeoutS: r.connectTimeoutS,
      acceptNew: r.acceptNew,
      quiet: r.quiet,
      ...(plan.selection ? {selection: plan.selection} : {}),
      onHostDone: (o) => {
        const keeping = keeper.keep(o.snapshot)
        // a store that fails this read fails the audit at Promise.all below, not as an unhandled rejection now
        keeping.catch(() => undefined)
        kept.push(keeping)
        const {snapshot} = o
        writes = writes.then(() => writer.addSnapshot(snapshot))
        log.line(`host ${o.host.name}: ${o.status}${o.reason ? ` — ${o.reason.split('\n')[0]}` : ''}${o.retried ? ` (second attempt: ${o.retried})` : ''}`)
      },
      onLimit: (c) => {
        const line = limits.line(c)
        if (line) log.line(line)
      },
      onHostRetry: (h, why) => log.line(retryLine(h, why)),
    })
    await writes
    return {hosts: await Promise.all(kept), interrupted}
  }
  const {snapshot, interrupted} = await localSession({quiet: r.quiet, native: r.native, commandTimeoutS: r.commandTimeoutS, ...(plan.selection ? {selection: plan.selection} : {})})
  const kept = await keeper.keep(snapshot)
  await writer.addSnapshot(snapshot)
  log.line(`host ${snapshot.host.name}: ${snapshot.host.status}`)
  return {hosts: [kept], interrupted}
}
