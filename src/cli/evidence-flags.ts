import {Flags} from '@oclif/core'

import {DEFAULT_MIN_COVERAGE, DEFAULT_STALE_AFTER_DAYS} from '../engine/evidence.js'

/** The evidence rule's flags, the same on every command that judges (check, report, audit). */
export const evidenceFlags = {
  'min-coverage': Flags.integer({
    default: DEFAULT_MIN_COVERAGE,
    min: 0,
    max: 100,
    summary: 'A host judged on fewer than this percentage of its applicable checks is "insufficient data", never compliant.',
    helpValue: 'PERCENT',
  }),
  'stale-after': Flags.integer({
    default: DEFAULT_STALE_AFTER_DAYS,
    min: 0,
    max: 3650,
    summary: 'A host collected more than this many days ago is stale: insufficient data for a verdict of today.',
    helpValue: 'DAYS',
  }),
}
