import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {loadPack} from '../../../src/engine/checks/pack.js'
import {buildFixPlan, type FixHost} from '../../../src/engine/fixes/fix-plan.js'
import {renderFixInventory, renderFixPlaybook} from '../../../src/report/fix-ansible.js'
import {renderFixScript} from '../../../src/report/fix-sh.js'

const PACK = `pack: p
version: 1.0.0
title: {vi: Gói, en: Pack}
checks:
  - id: a.risky
    title: {vi: A, en: A}
    rationale: {vi: A, en: A}
    remediation: {vi: A, en: A}
    severity: low
    assert: {path: sshd.maxAuthTries, le: 4}
    fix:
      risk: firewall
      needs: [sshPorts]
      ansible:
        - name: a
          ansible.builtin.file: {path: /tmp/a, state: touch}
      sh: ': > /tmp/a'
  - id: b.safe
    title: {vi: B, en: B}
    rationale: {vi: B, en: B}
    remediation: {vi: B, en: B}
    severity: critical
    assert: {path: sshd.maxAuthTries, le: 4}
    fix:
      ansible:
        - name: b
          ansible.builtin.file: {path: /tmp/b, state: touch}
      sh: ': > /tmp/b'
  - id: c.resets-b
    title: {vi: C, en: C}
    rationale: {vi: C, en: C}
    remediation: {vi: C, en: C}
    severity: info
    assert: {path: sshd.maxAuthTries, le: 4}
    fix:
      before: [b.safe]
      ansible:
        - name: c
          ansible.builtin.file: {path: /tmp/c, state: touch}
      sh: ': > /tmp/c'
`

/** A host as the results and its snapshot give it; the hostile values are what a host or a hosts file could carry. */
function host(name: string, over: Partial<FixHost> = {}): FixHost {
  return {
    name,
    status: 'ok',
    distribution: 'debian',
    sshPorts: [22],
    passwordLogin: false,
    results: [
      {pack: 'p', check: 'a.risky', severity: 'low', status: 'fail'},
      {pack: 'p', check: 'b.safe', severity: 'critical', status: 'fail'},
      {pack: 'p', check: 'c.resets-b', severity: 'info', status: 'fail'},
    ],
    ...over,
  }
}

describe('fix plans as files', () => {
  const pack = loadPack('p.yaml', PACK)
  const hostile = '\n- hosts: all\n  tasks: [{ansible.builtin.shell: "rm -rf /"}]\u2028- x\n$(touch /tmp/PWNED)`id`'
  const plan = buildFixPlan(
    [
      host('web1'),
      host(`evil${hostile}`, {results: [{pack: 'p', check: 'b.safe', severity: 'critical', status: 'waived', waiver: {status: 'fail', reason: hostile, approver: hostile, expires: '2099-01-01', source: 'w.yaml'}}]}),
      host('nossh', {sshPorts: []}),
      host('down', {status: 'unreachable', reason: hostile}),
    ],
    [pack],
  )

  it('orders safe fixes before risky ones, whatever their severity, a fix that resets another first, and a fix without its fact is manual', () => {
    expect(plan.order.map((o) => o.check)).toEqual(['c.resets-b', 'b.safe', 'a.risky'])
    const nossh = plan.hosts.find((h) => h.host === 'nossh')!
    expect(nossh.fixes.map((f) => f.check)).toEqual(['c.resets-b', 'b.safe'])
    expect(nossh.manual).toEqual([{pack: 'p', check: 'a.risky', severity: 'low', reason: expect.objectContaining({en: 'the ports SSH listens on are not known'})}])
    expect(plan.notCollected).toEqual([{host: 'down', status: 'unreachable', reason: hostile}])
  })

  it('keeps every value a host or a waiver gave in a comment: the playbook has exactly its plays', () => {
    const text = renderFixPlaybook(plan, {source: 'run 1', generatedAt: '2026-01-01T00:00:00Z'})
    const plays = YAML.parse(text) as {hosts: string}[]
    expect(plays.map((p) => p.hosts)).toEqual(['fix_c_resets_b', 'fix_b_safe', 'fix_a_risky'])
    // PyYAML (Ansible) breaks lines at U+2028 too: it is escaped in comments
    expect(text).not.toMatch(/\u2028/)
    expect(text.split('\n').filter((l) => l.includes('rm -rf')).every((l) => l.startsWith('#'))).toBe(true)
  })

  it('writes the inventory of the hosts with fixes only, values as !unsafe data', () => {
    const inv = YAML.parse(renderFixInventory(plan, new Map([['web1', {address: '{{ lookup("pipe","id") }}', port: 22}]])), {customTags: [{tag: '!unsafe', resolve: (s: string) => ({unsafe: s})}]}) as {
      all: {hosts: Record<string, Record<string, unknown>>; children: Record<string, {hosts: Record<string, null>}>}
    }
    expect(Object.keys(inv.all.hosts).sort()).toEqual(['nossh', 'web1'])
    expect(inv.all.hosts.web1!.ansible_host).toEqual({unsafe: '{{ lookup("pipe","id") }}'})
    expect(Object.keys(inv.all.children.fix_a_risky!.hosts)).toEqual(['web1'])
  })

  it('writes a script sh reads as the plan, the host name in comments only', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-fix-render-'))
    try {
      const web1 = plan.hosts.find((h) => h.host === 'web1')!
      const planWithEvil = {...plan, hosts: [...plan.hosts, {...web1, host: `evil${hostile}`}]}
      const script = renderFixScript(planWithEvil, planWithEvil.hosts.at(-1)!, {source: 'run 1', generatedAt: 'now'})
      writeFileSync(path.join(dir, 's.sh'), script)
      expect(spawnSync('sh', ['-n', path.join(dir, 's.sh')]).status).toBe(0)
      expect(script.split('\n').filter((l) => l.includes('PWNED')).every((l) => l.startsWith('#'))).toBe(true)
      expect(script.indexOf("echo 'fix: b.safe'")).toBeLessThan(script.indexOf("echo 'fix: a.risky'"))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
