import type {CisReference} from './cis-mapping.js'
import type {LevelReference} from './level-mapping.js'

/** A CIS citation in one line: `CIS Benchmark for Debian 12 v1.1.0 5.1.16`, `(part)` when the check judges part of it. */
export function cisText(c: Pick<CisReference, 'benchmark' | 'edition' | 'id' | 'covers'>): string {
  return `${c.benchmark} v${c.edition} ${c.id}${c.covers === 'part' ? ' (part)' : ''}`
}

/** A check's security level in one line: `Circular 12/2022/TT-BTTTT level 3+ logging (unconfirmed)`. */
export function levelText(l: LevelReference): string {
  return `${l.framework} level ${l.level}+ ${l.area}${l.clause ? ` ${l.clause}` : ''} (${l.status})`
}
