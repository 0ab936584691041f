import {describe, expect, it} from 'vitest'

import {ExitCode} from '../../../src/cli/exit-codes.js'
import {auditExitCode} from '../../../src/runs/audit-outcome.js'

/** README "Exit codes": when several apply, audit exits with the first of 130, 3, 6, 1, 0 (2, 4 and 5 are errors that end it earlier). */
describe('auditExitCode', () => {
  const all = {interrupted: true, hosts: {total: 2, collected: 1, notCollected: [{name: 'b', status: 'unreachable'}]}, insufficient: [{name: 'b', reason: 'not collected'}], blocking: 3}

  it('takes the first that applies: interrupted, not collected, insufficient data, findings', () => {
    expect(auditExitCode(all)).toBe(ExitCode.Interrupted)
    expect(auditExitCode({...all, interrupted: false})).toBe(ExitCode.Unreachable)
    const collected = {...all, interrupted: false, hosts: {total: 2, collected: 2, notCollected: []}}
    expect(auditExitCode(collected)).toBe(ExitCode.InsufficientData)
    expect(auditExitCode({...collected, insufficient: []})).toBe(ExitCode.Findings)
    expect(auditExitCode({...collected, insufficient: [], blocking: 0})).toBe(ExitCode.Ok)
  })
})
