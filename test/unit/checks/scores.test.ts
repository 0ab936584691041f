import {describe, expect, it} from 'vitest'

import type {CheckResult, HostResults} from '../../../src/engine/checks/run-checks.js'
import {countStatuses} from '../../../src/engine/checks/run-checks.js'
import {computeScores, scoreOf} from '../../../src/engine/scores.js'

const r = (host: string, severity: CheckResult['severity'], status: CheckResult['status']): CheckResult => ({host, pack: 'p', check: `c-${severity}-${status}`, severity, status})
const h = (host: string, results: CheckResult[]): HostResults => ({host, results, counts: countStatuses(results)})

describe('scores', () => {
  it('weighs by severity: waived counts as passed, unknown and not-applicable are left out, info weighs nothing', () => {
    // passed: high 5 + waived medium 3 = 8; failed: critical 10 → 8/18
    const s = scoreOf([r('a', 'high', 'pass'), r('a', 'medium', 'waived'), r('a', 'critical', 'fail'), r('a', 'low', 'unknown'), r('a', 'low', 'not-applicable'), r('a', 'info', 'fail')])
    expect(s.score).toBe(44.4)
    expect(s).toMatchObject({passedWeight: 8, failedWeight: 10, counts: {pass: 1, waived: 1, fail: 2, unknown: 1, notApplicable: 1}})
    expect(scoreOf([r('a', 'low', 'unknown')]).score).toBeNull()
    expect(scoreOf([r('a', 'low', 'pass')]).score).toBe(100)
  })

  it('pools results per group and overall rather than averaging host scores', () => {
    const hosts = [h('web1', [r('web1', 'critical', 'fail')]), h('web2', [r('web2', 'low', 'pass')]), h('db1', [r('db1', 'high', 'pass')])]
    const groups: Record<string, string[]> = {web1: ['web', 'prod'], web2: ['web'], db1: ['prod']}
    const s = computeScores(hosts, (x) => groups[x])
    expect(s.hosts.map((x) => x.score)).toEqual([0, 100, 100])
    expect(s.groups.map((g) => [g.group, g.hosts, g.score])).toEqual([
      ['prod', 2, 33.3],
      ['web', 2, 9.1],
    ])
    expect(s.overall).toMatchObject({hosts: 3, score: 37.5, passedWeight: 6, failedWeight: 10})
  })
})
