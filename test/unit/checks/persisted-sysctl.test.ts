import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {sysctlProbe} from '../../../inventory/sysctl.js'
import {evaluate} from '../../../src/engine/checks/assertion.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {SYSCTL_FIX_FILE, type SysctlAssertion} from '../../../src/engine/checks/persisted-sysctl.js'
import {ConfigError} from '../../../src/config/config-error.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {loadReasonBook} from '../../../src/report/reason-book.js'
import {whyText} from '../../../src/report/why-text.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {withData, withSection} from '../../support/snapshots.js'

/** A real snapshot whose sysctl section is this machine's captured one (runtime values and the files the boot reads). */
const captured = loadFixture('debian-12-root', 'sysctl')
const base = withSection(JSON.parse(readFileSync(path.join(FIXTURES, 'fleet', 'db1.json'), 'utf8')) as Snapshot, 'sysctl', sysctlProbe.interpret(captured.outputs, contextOf(captured)))
const sysctl = base.sections.sysctl.data!
const set = (runtime: Record<string, string>, persisted: Record<string, {value: string; file: string; line: number}>, more: Record<string, unknown> = {}) =>
  withData(base, 'sysctl', {params: {...sysctl.params, ...runtime}, persisted: {...sysctl.persisted, ...persisted}, ...more})
const ASLR = 'kernel.randomize_va_space'
const aslr: SysctlAssertion = {sysctl: ASLR, equals: '2'}
const inFile = (value: string, line = 3) => ({value, file: '/etc/sysctl.d/60-x.conf', line})

describe('a kernel parameter judged running and persisted', () => {
  it('passes only when both are right', () => {
    expect(evaluate(aslr, set({[ASLR]: '2'}, {[ASLR]: inFile('2')}))).toEqual({verdict: 'pass'})
  })

  it('fails at runtime first, saying the value found', () => {
    const o = evaluate(aslr, set({[ASLR]: '0'}, {[ASLR]: inFile('2')}))
    expect(o).toMatchObject({verdict: 'fail', reason: `${ASLR}: runtime 0, expected 2`, why: {t: 'sysctl.runtimeWrong', p: {key: ASLR, runtime: '0', expected: '2'}}})
  })

  it('right at runtime but set in no file: not persisted, and where to set it', () => {
    const s = set({[ASLR]: '2'}, {})
    delete (s.sections.sysctl.data!.persisted as Record<string, unknown>)[ASLR]
    const o = evaluate(aslr, s)
    expect(o.verdict).toBe('fail')
    expect(o.reason).toBe(`${ASLR}: runtime 2, not persisted: set ${ASLR} = 2 in ${SYSCTL_FIX_FILE}`)
    expect(o.why).toEqual({t: 'sysctl.notPersisted', p: {key: ASLR, runtime: '2', value: '2', file: SYSCTL_FIX_FILE}})
  })

  it('right at runtime, wrong in the files: says which file and line', () => {
    const o = evaluate(aslr, set({[ASLR]: '2'}, {[ASLR]: inFile('0', 7)}))
    expect(o).toMatchObject({verdict: 'fail', reason: `${ASLR}: runtime 2, persisted 0 in /etc/sysctl.d/60-x.conf:7, expected 2`})
  })

  it('ranges and lists: ge, le, in; values compared with whitespace normalised', () => {
    const ptrace = 'kernel.yama.ptrace_scope'
    expect(evaluate({sysctl: ptrace, ge: 1}, set({[ptrace]: '2'}, {[ptrace]: inFile('1')})).verdict).toBe('pass')
    expect(evaluate({sysctl: ptrace, ge: 1}, set({[ptrace]: '2'}, {[ptrace]: inFile('0')})).reason).toMatch(/persisted 0 in .*, expected ≥ 1$/)
    expect(evaluate({sysctl: ptrace, le: 1}, set({[ptrace]: '2'}, {[ptrace]: inFile('1')})).reason).toBe(`${ptrace}: runtime 2, expected ≤ 1`)
    const rp = 'net.ipv4.conf.all.rp_filter'
    expect(evaluate({sysctl: rp, in: ['1', '2']}, set({[rp]: '2'}, {[rp]: inFile('1')})).verdict).toBe('pass')
    expect(evaluate({sysctl: rp, in: ['1', '2']}, set({[rp]: '0'}, {[rp]: inFile('1')})).reason).toBe(`${rp}: runtime 0, expected 1 / 2`)
    const core = 'kernel.core_pattern'
    expect(evaluate({sysctl: core, equals: '|/bin/false %p'}, set({[core]: '|/bin/false\t%p'}, {[core]: inFile('|/bin/false %p')})).verdict).toBe('pass')
  })

  it('is unknown, never pass, when either side was not observed', () => {
    const right = {[ASLR]: '2'}
    // snapshots from before the files were read
    const old = set(right, {})
    delete old.sections.sysctl.data!.persisted
    expect(evaluate(aslr, old)).toMatchObject({verdict: 'unknown', why: {t: 'sysctl.persistedNotCollected'}})
    // a file the boot reads could not be read: the parameter may be set there
    const hidden = set(right, {}, {persistedUnreadable: ['/etc/sysctl.d/secret.conf']})
    delete (hidden.sections.sysctl.data!.persisted as Record<string, unknown>)[ASLR]
    expect(evaluate(aslr, hidden)).toMatchObject({verdict: 'unknown', reason: `${ASLR}: runtime 2; persisted value unknown: cannot read /etc/sysctl.d/secret.conf`})
    // runtime not readable, not in this kernel, section missing
    const bpf = 'net.core.bpf_jit_harden'
    const user = withData(base, 'sysctl', {params: {}, unreadable: [bpf], absent: [ASLR]})
    expect(evaluate({sysctl: bpf, equals: '2'}, user)).toMatchObject({verdict: 'unknown', why: {t: 'sysctl.runtimeUnreadable'}})
    expect(evaluate(aslr, user)).toMatchObject({verdict: 'unknown', why: {t: 'sysctl.absent'}})
    expect(evaluate(aslr, withSection(base, 'sysctl', {status: 'timeout', reason: 'after 10 s'}))).toMatchObject({verdict: 'unknown', reason: 'sysctl: timeout (after 10 s)'})
  })

  it('on this machine as captured: the kernel default of ASLR is set in no file (not persisted); protected links are in a file (pass)', () => {
    const here = base.sections.sysctl.data!
    expect(here.params[ASLR]).toBe('2')
    expect(evaluate(aslr, base)).toMatchObject({verdict: 'fail', why: {t: 'sysctl.notPersisted'}})
    expect(evaluate({sysctl: 'fs.protected_symlinks', equals: '1'}, base).verdict).toBe(here.params['fs.protected_symlinks'] === '1' ? 'pass' : 'fail')
  })

  it('every reason renders in both languages, each parameter its template names given', () => {
    const book = loadReasonBook()
    const cases: SysctlAssertion[] = [aslr, {sysctl: 'kernel.yama.ptrace_scope', ge: 1}]
    const snapshots = [
      set({[ASLR]: '0'}, {}),
      set({[ASLR]: '2'}, {[ASLR]: inFile('1')}),
      withData(base, 'sysctl', {params: {}, absent: [ASLR], unreadable: ['kernel.yama.ptrace_scope']}),
      withData(base, 'sysctl', {params: {}, absent: [], unreadable: []}),
      withSection(base, 'sysctl', {status: 'unavailable', reason: 'no /proc'}),
      set({[ASLR]: '2', 'kernel.yama.ptrace_scope': '1'}, {}, {persisted: undefined}),
      set({[ASLR]: '2', 'kernel.yama.ptrace_scope': '1'}, {}, {persisted: {}, persistedUnreadable: ['/etc/sysctl.d/x.conf']}),
      set({[ASLR]: '2', 'kernel.yama.ptrace_scope': '1'}, {}, {persisted: {}, persistedUnreadable: []}),
    ]
    const seen = new Set<string>()
    for (const s of snapshots) {
      for (const a of cases) {
        const o = evaluate(a, s)
        if (o.verdict === 'pass') continue
        expect(o.why, JSON.stringify(o)).toBeDefined()
        seen.add(o.why!.t)
        const template = book.templates.get(o.why!.t)!
        for (const lang of ['en', 'vi'] as const) {
          const names = [...template[lang].matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!)
          for (const n of names) expect(o.why!.p, `${o.why!.t} ${lang} {${n}}`).toHaveProperty(n)
          expect(whyText(o.why, lang)).not.toMatch(/[{}]/)
        }
      }
    }
    const mine = [...book.templates.keys()].filter((t) => t.startsWith('sysctl.'))
    expect([...seen].sort()).toEqual(mine.sort())
  })

  it('packs: the form names a listed parameter and exactly one comparison', () => {
    const pack = (assert: string) =>
      `pack: t\nversion: 1.0.0\ntitle: {vi: t, en: t}\nchecks:\n  - id: a.b\n    title: {vi: t, en: t}\n    rationale: {vi: t, en: t}\n    remediation: {vi: t, en: t}\n    severity: low\n    assert: ${assert}\n`
    expect(loadPack('t.yaml', pack("{sysctl: kernel.randomize_va_space, equals: '2'}")).checks[0]!.assert).toEqual(aslr)
    expect(() => loadPack('t.yaml', pack("{sysctl: kernel.not_listed, equals: '2'}"))).toThrow(ConfigError)
    expect(() => loadPack('t.yaml', pack("{sysctl: kernel.randomize_va_space, equals: '2', ge: 1}"))).toThrow(ConfigError)
    expect(() => loadPack('t.yaml', pack('{sysctl: kernel.randomize_va_space}'))).toThrow(ConfigError)
  })
})
