import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {evaluate} from '../../../src/engine/checks/assertion.js'
import type {MountAssertion} from '../../../src/engine/checks/persisted-mount.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {loadReasonBook} from '../../../src/report/reason-book.js'
import {whyText} from '../../../src/report/why-text.js'
import {FIXTURES} from '../../support/fixtures.js'
import {withData, withSection} from '../../support/snapshots.js'

const base = JSON.parse(readFileSync(path.join(FIXTURES, 'fleet', 'db1.json'), 'utf8')) as Snapshot
const shm = (live: string[], fstab?: {options: string[]}[], more: Record<string, unknown> = {}) =>
  withData(base, 'filesystems', {
    mounts: [{target: '/dev/shm', source: 'tmpfs', fstype: 'tmpfs', options: ['rw', ...live], readOnly: false, pseudo: true, network: false}],
    fstab: fstab?.map((e, i) => ({source: 'tmpfs', target: '/dev/shm', fstype: 'tmpfs', options: e.options, line: i + 4})),
    ...more,
  })
const a: MountAssertion = {mount: '/dev/shm', options: ['nodev', 'nosuid', 'noexec']}
const all = ['nodev', 'nosuid', 'noexec']

describe('mount options judged running and persisted', () => {
  it('pass, runtime fail, not persisted, persisted without, the last fstab line winning', () => {
    expect(evaluate(a, shm(all, [{options: all}])).verdict).toBe('pass')
    expect(evaluate(a, shm(['nodev'], [{options: all}]))).toMatchObject({verdict: 'fail', reason: '/dev/shm: mounted without nosuid,noexec'})
    expect(evaluate(a, shm(all, []))).toMatchObject({verdict: 'fail', why: {t: 'mount.notPersisted'}})
    expect(evaluate(a, shm(all, [{options: all}, {options: ['defaults']}]))).toMatchObject({verdict: 'fail', reason: '/dev/shm: right at runtime, but /etc/fstab:5 mounts it without nodev,nosuid,noexec'})
  })

  it('unknown, never pass, where either side was not observed', () => {
    expect(evaluate(a, shm(all, undefined)).verdict).toBe('unknown')
    expect(evaluate(a, shm(all, [], {persistedUnreadable: ['/etc/fstab']})).verdict).toBe('unknown')
    expect(evaluate(a, withData(base, 'filesystems', {mounts: []}))).toMatchObject({verdict: 'unknown', why: {t: 'mount.notMounted'}})
    expect(evaluate(a, withSection(base, 'filesystems', {status: 'error', reason: 'findmnt: exit 1'}))).toMatchObject({verdict: 'unknown', reason: 'filesystems: error (findmnt: exit 1)'})
  })

  it('every reason renders in both languages with the parameters its template names', () => {
    const book = loadReasonBook()
    const seen = new Set<string>()
    for (const s of [
      shm(['nodev'], [{options: all}]),
      shm(all, []),
      shm(all, [{options: ['nodev']}]),
      shm(all, undefined),
      shm(all, [], {persistedUnreadable: ['/etc/fstab']}),
      withData(base, 'filesystems', {mounts: []}),
      withSection(base, 'filesystems', {status: 'error', reason: 'x'}),
    ]) {
      const o = evaluate(a, s)
      seen.add(o.why!.t)
      for (const lang of ['en', 'vi'] as const) {
        for (const m of book.templates.get(o.why!.t)![lang].matchAll(/\{([A-Za-z0-9]+)\}/g)) expect(o.why!.p).toHaveProperty(m[1]!)
        expect(whyText(o.why, lang)).not.toMatch(/[{}]/)
      }
    }
    expect([...seen].sort()).toEqual([...book.templates.keys()].filter((t) => t.startsWith('mount.')).sort())
  })
})
