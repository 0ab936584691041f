import {describe, expect, it} from 'vitest'

import {probes} from '../../../inventory/index.js'
import type {AnyProbe} from '../../../inventory/kit/probe.js'
import {parseSectionFlags} from '../../../src/cli/section-flags.js'
import {collectHost} from '../../../src/collect/collect-host.js'
import type {NativeCollector} from '../../../src/collect/native-collector.js'
import {InputError} from '../../../src/config/input-error.js'
import {sectionCatalog} from '../../../src/model/sections/index.js'
import {shQuote} from '../../../src/model/shell-quote.js'
import {validateSnapshot} from '../../../src/model/validate.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'
import type {ExecOptions} from '../../../src/transport/transport.js'

/** This machine's transport, keeping every batch script it is sent. */
class RecordingTransport extends LocalTransport {
  readonly scripts: string[] = []
  override exec(command: string, options?: ExecOptions) {
    if (options?.stdin) this.scripts.push(options.stdin)
    return super.exec(command, options)
  }
}

const ids = sectionCatalog.map((s) => s.id)
const commandsOf = (p: AnyProbe) => Object.values((p as AnyProbe).commands)
const keysIn = (scripts: string[]) => new Set(scripts.flatMap((s) => [...s.matchAll(/^case "\$_OS" in [^)]*\) _r ([A-Za-z0-9_.-]+) /gm)].map((m) => m[1]!.split('.')[0]!)))

function inputError(f: () => unknown): InputError {
  try {
    f()
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('no InputError')
}

describe('--sections and --skip as a selection', () => {
  it('matches ids case-insensitively, in catalog order, each once; --sections keeps identity and os', () => {
    expect(parseSectionFlags({})).toBeUndefined()
    const only = parseSectionFlags({sections: 'Packages, os,TIMESYNC,packages'})!
    expect(only.sections).toEqual(['os', 'packages', 'timeSync'])
    expect(only.skipped).toEqual(ids.filter((id) => !['identity', 'os', 'packages', 'timeSync'].includes(id)))
    expect(parseSectionFlags({skip: 'updates,packages'})).toEqual({skip: ['packages', 'updates'], skipped: ['packages', 'updates']})
  })

  it('refuses an unknown id (naming it, the closest id and every valid one), both flags, an empty list, and skipping identity or os', () => {
    const typo = inputError(() => parseSectionFlags({skip: 'packages,updats'}))
    expect(typo.exitCode).toBe(2)
    expect(typo.message).toBe("--skip packages,updats: unknown section 'updats'")
    expect(typo.hint).toBe(`did you mean 'updates'? Or choose from: ${ids.join(', ')}`)
    expect(inputError(() => parseSectionFlags({sections: 'nope'})).hint).toBe(`choose from: ${ids.join(', ')}`)
    expect(inputError(() => parseSectionFlags({sections: 'os', skip: 'updates'})).message).toBe('--sections and --skip cannot be used together')
    expect(inputError(() => parseSectionFlags({sections: ' , '})).message).toMatch(/no section named/)
    const os = inputError(() => parseSectionFlags({skip: 'updates,OS'}))
    expect(os.message).toMatch(/identity and os are always collected/)
    expect(os.hint).toBe('leave os out of --skip')
  })
})

describe('collectHost with a selection', () => {
  it('sends no command of a skipped section: the batch scripts hold the chosen probes only, and the snapshot says why the others are empty', async () => {
    const selection = parseSectionFlags({sections: 'os,packages'})!
    const transport = new RecordingTransport()
    const snap = await collectHost(transport, {selection, commandTimeoutMs: 10_000})
    validateSnapshot(snap)
    expect(transport.scripts.length).toBeGreaterThan(0)
    expect([...keysIn(transport.scripts)].sort()).toEqual(['identity', 'os', 'packages', 'shared'])
    // the shared commands the chosen probes read (dpkg's list for packages, the host keys for identity); not the process table
    const shared = transport.scripts.flatMap((s) => [...s.matchAll(/^case "\$_OS" in [^)]*\) _r (shared\.[A-Za-z0-9]+) /gm)].map((m) => m[1]!))
    expect(shared.sort()).toEqual(['shared.dpkgPackages', 'shared.hostPublicKeys'])
    const script = transport.scripts.join('\n')
    const chosen = new Set(probes.filter((p) => ['identity', 'os', 'packages'].includes(p.id)).flatMap((p) => commandsOf(p as AnyProbe)))
    const skippedProbes = probes.filter((p) => selection.skipped.includes(p.id)) as AnyProbe[]
    expect(skippedProbes.length).toBe(ids.length - 3)
    for (const p of skippedProbes) {
      for (const command of commandsOf(p).filter((c) => !chosen.has(c))) expect(script.includes(shQuote(command)), `${p.id}: ${command.slice(0, 60)}`).toBe(false)
    }
    const sections = snap.sections as unknown as Record<string, {status: string; reason?: string; data?: unknown}>
    for (const id of selection.skipped) expect(sections[id], id).toEqual({status: 'skipped', version: expect.any(Number), reason: 'not collected: skipped (--sections os,packages)', source: 'probe', durationMs: 0})
    expect(sections.packages!.status).toBe('ok')
    expect(sections.os!.status).toBe('ok')
    expect(snap.meta.selection).toEqual(selection)
    expect(snap.meta.probes.map((p) => p.id).sort()).toEqual(['identity', 'os', 'packages'])
    expect(snap.host.status).not.toBe('error')
  })

  it('runs no native collector of a skipped section, and loads none when every native section is skipped', async () => {
    const ran: string[] = []
    const native = (['cpu', 'memory'] as const).map(
      (id): NativeCollector => ({
        section: sectionCatalog.find((s) => s.id === id)!,
        platforms: ['linux'],
        collect: async () => {
          ran.push(id)
          return {status: 'unavailable', reason: 'test'}
        },
      }),
    )
    const keep = probes.filter((p) => ['identity', 'os', 'cpu', 'memory'].includes(p.id))
    const skipMemory = await collectHost(new LocalTransport(), {probes: keep, native, selection: {skip: ['memory'], skipped: ['memory']}})
    expect(ran).toEqual(['cpu'])
    expect(skipMemory.sections.memory).toMatchObject({status: 'skipped'})
    let loaded = false
    const loader = {ids: ['cpu', 'memory'], load: async () => ((loaded = true), native)}
    const skipBoth = await collectHost(new LocalTransport(), {probes: keep, nativeLoader: loader, selection: {skip: ['cpu', 'memory'], skipped: ['cpu', 'memory']}})
    expect(loaded).toBe(false)
    expect(skipBoth.meta.native).toBe(false)
    expect(skipBoth.meta.probes.map((p) => p.id)).toEqual(['identity', 'os'])
  })
})
