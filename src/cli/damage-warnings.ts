import type {Store} from '../store/store.js'
import {describeDamage} from '../store/unreadable-snapshot.js'

/** Says on stderr (even with --json: the data is at stake), and to `log`, which stored snapshots could not be read and what to do. */
export function warnDamaged(store: Store, log?: (line: string) => void): void {
  for (const d of store.damaged()) {
    const line = `warning: ${describeDamage(d, store.file)}`
    process.stderr.write(`${line}\n`)
    log?.(line)
  }
}
