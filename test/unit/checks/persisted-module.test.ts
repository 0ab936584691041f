import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {kernelModulesProbe} from '../../../inventory/kernel-modules.js'
import {evaluate} from '../../../src/engine/checks/assertion.js'
import {MODPROBE_FIX_FILE, type ModuleAssertion} from '../../../src/engine/checks/persisted-module.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {loadReasonBook} from '../../../src/report/reason-book.js'
import {whyText} from '../../../src/report/why-text.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {withData, withSection} from '../../support/snapshots.js'

const captured = loadFixture('debian-12-root', 'kernelModules')
const base = withSection(JSON.parse(readFileSync(path.join(FIXTURES, 'fleet', 'db1.json'), 'utf8')) as Snapshot, 'kernelModules', kernelModulesProbe.interpret(captured.outputs, contextOf(captured)))
const where = (line: number) => ({file: '/etc/modprobe.d/cis.conf', line})
const modular = (config: Record<string, unknown>, more: Record<string, unknown> = {}) => withData(base, 'kernelModules', {loadable: true, loaded: ['ext4'], config, ...more})
const a: ModuleAssertion = {module: 'cramfs', disabled: true}
const both = {cramfs: {install: {command: '/bin/false', ...where(1)}, blacklist: where(2)}}

describe('a kernel module judged not loaded and disabled at boot', () => {
  it('passes when both modprobe.d lines are there and it is not in the kernel', () => {
    expect(evaluate(a, modular(both)).verdict).toBe('pass')
    expect(evaluate(a, modular({cramfs: {install: {command: '/usr/bin/true', ...where(1)}, blacklist: where(2)}})).verdict).toBe('pass')
  })

  it('fails when loaded now, or built in, whatever the files say', () => {
    expect(evaluate(a, modular(both, {loaded: ['cramfs']}))).toMatchObject({verdict: 'fail', reason: 'cramfs is loaded now'})
    expect(evaluate({module: 'sctp', disabled: true}, modular({}, {protocols: ['TCP', 'SCTPv6']}))).toMatchObject({verdict: 'fail', why: {t: 'module.builtIn'}})
  })

  it('fails when the boot would not disable it, saying which line to add and where', () => {
    expect(evaluate(a, modular({}))).toMatchObject({verdict: 'fail', reason: `cramfs: not loaded now, not disabled at boot: add 'install cramfs /bin/false' and 'blacklist cramfs' to ${MODPROBE_FIX_FILE}`})
    expect(evaluate(a, modular({cramfs: {blacklist: where(2)}}))).toMatchObject({verdict: 'fail', why: {t: 'module.noInstall'}})
    expect(evaluate(a, modular({cramfs: {install: {command: '/sbin/modprobe --ignore-install cramfs', ...where(1)}, blacklist: where(2)}}))).toMatchObject({verdict: 'fail', why: {t: 'module.noInstall'}})
    expect(evaluate(a, modular({cramfs: {install: {command: '/bin/false', ...where(1)}}}))).toMatchObject({verdict: 'fail', why: {t: 'module.noBlacklist'}})
  })

  it('on this machine as captured: a kernel that loads no module, cramfs not in it — nothing can load it', () => {
    expect(base.sections.kernelModules!.data!.loadable).toBe(false)
    expect(evaluate(a, base).verdict).toBe('pass')
  })

  it('unknown, never pass, when a side was not observed', () => {
    expect(evaluate(a, modular({}, {configUnreadable: ['/etc/modprobe.d/x.conf']}))).toMatchObject({verdict: 'unknown', why: {t: 'module.configUnreadable'}})
    const old = structuredClone(base)
    delete (old.sections as Record<string, unknown>).kernelModules
    expect(evaluate(a, old)).toMatchObject({verdict: 'unknown', reason: "no section 'kernelModules' in the snapshot"})
  })

  it('every reason renders in both languages with the parameters its template names', () => {
    const book = loadReasonBook()
    const seen = new Set<string>()
    const cases: [ModuleAssertion, Snapshot][] = [
      [a, modular(both, {loaded: ['cramfs']})],
      [{module: 'sctp', disabled: true}, modular({}, {protocols: ['SCTP']})],
      [a, modular({})],
      [a, modular({cramfs: {blacklist: where(2)}})],
      [a, modular({cramfs: {install: {command: '/bin/false', ...where(1)}}})],
      [a, modular({}, {configUnreadable: ['/etc/modprobe.d/x.conf']})],
      [a, withSection(base, 'kernelModules', {status: 'error', reason: 'x'})],
    ]
    for (const [assertion, s] of cases) {
      const o = evaluate(assertion, s)
      seen.add(o.why!.t)
      for (const lang of ['en', 'vi'] as const) {
        for (const m of book.templates.get(o.why!.t)![lang].matchAll(/\{([A-Za-z0-9]+)\}/g)) expect(o.why!.p).toHaveProperty(m[1]!)
        expect(whyText(o.why, lang)).not.toMatch(/[{}]/)
      }
    }
    expect([...seen].sort()).toEqual([...book.templates.keys()].filter((t) => t.startsWith('module.')).sort())
  })
})
