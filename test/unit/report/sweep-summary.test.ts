import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'

import {renderSweepSummary, type SweepReport} from '../../../src/report/sweep-summary.js'

const host = (name: string, extra: Partial<SweepReport['hosts'][number]> = {}): SweepReport['hosts'][number] => ({name, address: '127.0.0.1', port: 22, status: 'ok', durationMs: 900, file: `/out/${name}.json`, ...extra})

describe('renderSweepSummary', () => {
  it('names the hosts collected a second time after timing out under saturation', () => {
    const report: SweepReport = {
      startedAt: '2026-12-06T10:00:00.000Z',
      finishedAt: '2026-12-06T10:00:30.000Z',
      durationMs: 30_000,
      hostsFile: '/etc/hatang/hosts.yaml',
      outputDir: '/out',
      interrupted: false,
      counts: {ok: 3},
      hosts: [host('web01'), host('web02', {retried: 'the connection timed out while the sweep was saturated (event loop 3.1 s late); collected again with at most 2 hosts at once'}), host('db01')],
    }
    const text = renderSweepSummary(report, new Chalk({level: 0}))
    expect(text).toContain('3 of 3 hosts collected in 30.0 s')
    expect(text).toContain('1 collected a second time, having timed out while the sweep was saturated: web02')
    expect(renderSweepSummary({...report, hosts: report.hosts.map((h) => ({...h, retried: undefined}))}, new Chalk({level: 0}))).not.toContain('second time')
  })
})
