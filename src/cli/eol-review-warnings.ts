import type {Pack} from '../engine/checks/pack.js'
import {eolReviewWarnings} from '../engine/checks/eol-review.js'

/** Says on stderr (even with --json), and to `log`, which end-of-life data the packs read was reviewed too long ago. */
export function warnEolReview(packs: readonly Pack[], log?: (line: string) => void): void {
  for (const line of eolReviewWarnings(packs)) {
    process.stderr.write(`${line}\n`)
    log?.(line)
  }
}
