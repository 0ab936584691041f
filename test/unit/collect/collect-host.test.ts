import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {collectHost, type ProbeEvent} from '../../../src/collect/collect-host.js'
import type {NativeCollector} from '../../../src/collect/native-collector.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {defineProbe, type AnyProbe, type Probe} from '../../../inventory/kit/probe.js'
import {failure} from '../../../inventory/kit/probe-helpers.js'
import {Obj, Str} from '../../../src/model/schema-helpers.js'
import {defineSection, type SectionSpec} from '../../../src/model/section-spec.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'

const Schema = Obj({value: Str()})
const probe = (id: string, command: string, interpret?: AnyProbe['interpret'], platforms: AnyProbe['platforms'] = ['Linux']) =>
  defineProbe({
    section: defineSection({id, title: id, version: 1, schema: Schema, upgrades: []}),
    platforms,
    commands: {main: command},
    interpret: (interpret ??
      ((out) => failure(out.main, id) ?? {status: 'ok', data: {value: out.main!.stdout.trim()}})) as Probe<SectionSpec<string, typeof Schema>>['interpret'],
  }) as unknown as AnyProbe

const local = new LocalTransport()

describe('collectHost', () => {
  it('turns every kind of trouble into a section with a reason, and never throws', async () => {
    const events: ProbeEvent[] = []
    const snap = await collectHost(local, {
      probes: [
        probe('good', 'echo hello'),
        probe('missing', 'exit 127'),
        probe('parseError', 'echo x', () => {
          throw new ParseError('not what uname prints', 3)
        }),
        probe('bug', 'echo x', () => {
          throw new TypeError('cannot read properties of undefined')
        }),
        probe('badData', 'echo x', () => ({status: 'ok', data: {value: 42} as never})),
        probe('bsdOnly', 'echo bsd', undefined, ['FreeBSD']),
        probe('slow', 'sleep 20'),
      ],
      commandTimeoutMs: 1000,
      onProbeDone: (e) => events.push(e),
    })
    const s = snap.sections as unknown as Record<string, {status: string; reason?: string; data?: unknown}>
    expect(s.good).toMatchObject({status: 'ok', data: {value: 'hello'}})
    expect(s.missing).toMatchObject({status: 'unavailable', reason: 'missing: not installed'})
    expect(s.parseError).toMatchObject({status: 'error', reason: 'cannot parse output: line 3: not what uname prints'})
    expect(s.bug!.status).toBe('error')
    expect(s.bug!.reason).toMatch(/internal error in probe bug/)
    expect(s.badData!.status).toBe('error')
    expect(s.badData!.reason).toMatch(/does not match its schema: \/value must be string/)
    expect(s.badData!.data).toBeUndefined()
    expect(s.bsdOnly).toMatchObject({status: 'unavailable', reason: 'not supported on Linux'})
    expect(s.slow).toMatchObject({status: 'timeout'})
    expect(events.map((e) => e.id).sort()).toEqual(Object.keys(s).sort())
    expect(snap.meta.probes.map((p) => p.id)).toEqual(Object.keys(s))
    expect(snap.meta.uid).toBe(process.getuid!())
  })

  it('spreads probes over parallel batches', async () => {
    // a rendezvous: each probe marks its start and waits for the other's mark; run one after the other, the first
    // would wait in vain (and answer 'alone'); side by side, both see each other
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-batches-'))
    const meet = (me: string, other: string) =>
      `touch ${dir}/${me}; i=0; while [ ! -e ${dir}/${other} ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; if [ -e ${dir}/${other} ]; then echo ${me}; else echo alone; fi`
    try {
      const snap = await collectHost(local, {probes: [probe('a', meet('a', 'b')), probe('b', meet('b', 'a'))], parallelBatches: 2, commandTimeoutMs: 10_000})
      expect(snap.meta.batches).toHaveLength(2)
      const s = snap.sections as unknown as Record<string, {status: string; data?: {value: string}}>
      expect(s.a).toMatchObject({status: 'ok', data: {value: 'a'}})
      expect(s.b).toMatchObject({status: 'ok', data: {value: 'b'}})
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('uses a native collector when it works, and falls back to the probe when it fails or hangs', async () => {
    const native = (p: AnyProbe, collect: NativeCollector['collect']): NativeCollector => ({section: p.section, platforms: [process.platform], collect})
    const viaNative = probe('viaNative', 'echo from-probe')
    const broken = probe('broken', 'echo from-probe')
    const hung = probe('hung', 'echo from-probe')
    const snap = await collectHost(local, {
      probes: [viaNative, broken, hung],
      native: [
        native(viaNative, async () => ({status: 'ok', data: {value: 'from-native'}})),
        native(broken, async () => {
          throw new Error('no such device')
        }),
        native(hung, () => new Promise(() => undefined)),
      ],
      nativeDeadlineMs: 300,
    })
    const s = snap.sections as unknown as Record<string, {source: string; data?: {value: string}}>
    expect(s.viaNative).toMatchObject({source: 'native', data: {value: 'from-native'}})
    expect(s.broken).toMatchObject({source: 'probe', data: {value: 'from-probe'}})
    expect(s.hung).toMatchObject({source: 'probe', data: {value: 'from-probe'}})
    expect(snap.meta.native).toBe(true)
  })

  it('measures the host clock against ours', async () => {
    const snap = await collectHost(local, {probes: [probe('a', 'echo a')]})
    expect(Math.abs(snap.meta.clock!.skewMs)).toBeLessThanOrEqual(snap.meta.clock!.uncertaintyMs + 50)
  })
})


describe('native sections list', () => {
  it('names exactly the sections the native collectors cover', async () => {
    const {nativeSectionIds, loadNativeCollectors} = await import('../../../src/collect/native/sections.js')
    expect((await loadNativeCollectors()).map((n) => n.section.id).sort()).toEqual([...nativeSectionIds].sort())
  })
})

describe('collectHost on Windows', () => {
  it('runs no shell command, and says each shell section is not supported there', async () => {
    // Windows cannot run here: a transport that reports it, and fails the test if anything tries to run a command
    const windows = {
      kind: 'local' as const,
      target: 'ws01',
      platform: 'win32' as const,
      dialects: [],
      exec: () => Promise.reject(new Error('no command may run on Windows')),
      close: async () => {},
    }
    const snap = await collectHost(windows, {probes: [probe('a', 'echo a'), probe('b', 'echo b')]})
    const s = snap.sections as unknown as Record<string, {status: string; reason?: string}>
    expect(s.a).toMatchObject({status: 'unavailable', reason: 'not supported on Windows (no POSIX shell)'})
    expect(s.b!.status).toBe('unavailable')
    expect(snap.meta.batches).toEqual([])
  })
})
