import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'

import {findingsAtOrAbove, renderAuditSummary, type AuditOutcome} from '../../../src/report/audit-summary.js'

const plain = new Chalk({level: 0})

function outcome(over: Partial<AuditOutcome> = {}): AuditOutcome {
  const findings = {critical: 1, high: 12, medium: 3, low: 0, info: 2}
  return {
    startedAt: '2026-11-24T02:00:00.000Z',
    finishedAt: '2026-11-24T02:00:04.250Z',
    hosts: {total: 3, collected: 2, notCollected: [{name: 'db01', status: 'unreachable', reason: 'connect ETIMEDOUT 127.0.0.9:22\nmore'}]},
    interrupted: false,
    failOn: 'high',
    findings,
    blocking: findingsAtOrAbove(findings, 'high'),
    top: Array.from({length: 10}, (_, i) => ({where: `web${i}`, check: 'ssh.root-login', severity: i === 0 ? 'critical' : 'high', title: 'SSH không cho phép tài khoản root đăng nhập bằng mật khẩu'})),
    score: 61.5,
    coverage: 92.3,
    minCoverage: 80,
    insufficient: [],
    files: ['/srv/reports/hatang-report-20261124-0200.html'],
    run: '7',
    exitCode: 3,
    ...over,
  }
}

describe('renderAuditSummary', () => {
  it('says in English how many hosts were collected, the findings by severity, the blocking ones, and what was written', () => {
    const text = renderAuditSummary(outcome(), plain)
    expect(text.split('\n')).toEqual([
      'hatang audit: 2 of 3 hosts collected in 4.3 s',
      '  unreachable      db01 — connect ETIMEDOUT 127.0.0.9:22',
      'score 61.5 · coverage 92.3 %   findings: 1 critical, 12 high, 3 medium, 0 low, 2 info',
      '13 findings at or above high',
      ...outcome().top.map((f) => `  ✖ ${f.severity.padEnd(8)} ${f.where}  ssh.root-login  ${f.title}`),
      '  … and 3 more in the report',
      'stored as run 7',
      'wrote /srv/reports/hatang-report-20261124-0200.html',
    ])
  })

  it('says it in Vietnamese with --lang vi, ids and host statuses unchanged', () => {
    const text = renderAuditSummary(outcome({interrupted: true}), plain, 'vi')
    expect(text).toContain('hatang audit: đã thu thập 2/3 máy trong 4.3 s (bị ngắt)')
    expect(text).toContain('điểm 61.5 · độ phủ 92.3 %   phát hiện: 1 nghiêm trọng, 12 cao, 3 trung bình, 0 thấp, 2 thông tin')
    expect(text).toContain('13 phát hiện từ mức cao trở lên')
    expect(text).toContain('… và 3 phát hiện khác trong báo cáo')
    expect(text).toContain('  unreachable      db01')
    expect(text).toContain('đã lưu thành lần chạy 7')
    expect(text).not.toMatch(/\b(findings|collected|stored|wrote)\b/)
  })

  it('says when nothing reaches --fail-on, and says nothing of it with --fail-on none', () => {
    const none = {critical: 0, high: 0, medium: 2, low: 0, info: 0}
    const o = outcome({findings: none, blocking: findingsAtOrAbove(none, 'high'), top: [], hosts: {total: 1, collected: 1, notCollected: []}})
    expect(renderAuditSummary(o, plain)).toContain('hatang audit: 1 of 1 host collected in 4.3 s\nscore 61.5 · coverage 92.3 %')
    expect(renderAuditSummary(o, plain)).toContain('no finding at or above high')
    expect(renderAuditSummary({...o, failOn: 'none'}, plain)).not.toContain('at or above')
  })

  it('names the hosts judged on too little evidence, and escapes what a host sent', () => {
    const o = outcome({
      hosts: {total: 2, collected: 2, notCollected: []},
      insufficient: [{name: 'web\u001b]0;PWNED\u0007', reason: 'coverage 3.1 % (3 of 97 applicable checks judged; the rest unknown), below 80 %'}],
      coverage: 51.5,
    })
    const text = renderAuditSummary(o, plain)
    expect(text).toContain('1 host with insufficient data (not collected, or coverage below 80 %): never counted as compliant')
    expect(text).toContain('  ? web\\x1b]0;PWNED\\x07 — coverage 3.1 % (3 of 97 applicable checks judged; the rest unknown), below 80 %')
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    expect(renderAuditSummary(o, plain, 'vi')).toContain('1 máy không đủ dữ liệu (không thu thập được, hoặc độ phủ dưới 80 %)')
  })
})
