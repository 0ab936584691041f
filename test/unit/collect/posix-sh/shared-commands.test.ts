import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {collectHost} from '../../../../src/collect/collect-host.js'
import {defineProbe, type AnyProbe, type CommandOutput, type Probe} from '../../../../inventory/kit/probe.js'
import {failure} from '../../../../inventory/kit/probe-helpers.js'
import {defineSharedCommand} from '../../../../inventory/kit/shared-command.js'
import {Obj, Str} from '../../../../src/model/schema-helpers.js'
import {defineSection, type SectionSpec} from '../../../../src/model/section-spec.js'
import {shQuote} from '../../../../src/model/shell-quote.js'
import {LocalTransport} from '../../../../src/transport/local-transport.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-shared-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** A shared command that leaves a line in a file each time it runs. */
const counted = (name: string, print: string) => {
  const log = path.join(dir, name)
  return {log, command: defineSharedCommand({id: name, platforms: ['Linux'], command: `echo ran >> ${shQuote(log)}; echo ${print}`})}
}
const runsOf = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0)

const Schema = Obj({value: Str()})
type TestProbe = Probe<SectionSpec<string, typeof Schema>>

/** A probe of its own command (`echo ID`), reading `table` when it is given one, and remembering the output it was handed. */
function probe(id: string, table?: ReturnType<typeof counted>['command'], seen?: Map<string, CommandOutput>, weight = 1): AnyProbe {
  return defineProbe({
    section: defineSection({id, title: id, version: 1, schema: Schema, upgrades: []}),
    platforms: ['Linux'],
    weight,
    commands: {main: `echo ${id}`},
    ...(table ? {shared: {table}} : {}),
    interpret: ((out) => {
      const fail = failure(out.main, id) ?? (table ? failure(out.table, 'table') : undefined)
      if (fail) return fail
      if (table) seen?.set(id, out.table!)
      return {status: 'ok', data: {value: table ? `${out.main!.stdout.trim()}+${out.table!.stdout.trim()}` : out.main!.stdout.trim()}}
    }) as TestProbe['interpret'],
  }) as unknown as AnyProbe
}

const local = new LocalTransport()
type Sections = Record<string, {status: string; reason?: string; data?: {value: string}}>

describe('shared commands', () => {
  it('run once a host, and every probe that reads one gets the same output, whichever batch it is in', async () => {
    const {log, command} = counted('table', 'rows')
    const seen = new Map<string, CommandOutput>()
    // heavy probes first: planBatches puts each in a batch of its own, the readers spread over all three
    const probes = [probe('a', command, seen, 5), probe('b', command, seen, 5), probe('c', command, seen, 5), probe('d', undefined, undefined, 1)]
    const snap = await collectHost(local, {probes, parallelBatches: 3})
    const s = snap.sections as unknown as Sections
    expect(runsOf(log)).toBe(1)
    expect(snap.meta.batches.length).toBe(3)
    // four own commands and the shared one, once
    expect(snap.meta.batches.reduce((n, b) => n + b.commands, 0)).toBe(5)
    for (const id of ['a', 'b', 'c']) expect(s[id]).toMatchObject({status: 'ok', data: {value: `${id}+rows`}})
    expect(s.d).toMatchObject({status: 'ok', data: {value: 'd'}})
    const outputs = [...seen.values()]
    expect(outputs).toHaveLength(3)
    for (const o of outputs) expect(o).toBe(outputs[0])
    // a section counts its own commands, not the shared one
    expect(snap.meta.probes.find((p) => p.id === 'a')!.commands).toBe(1)
  })

  it('are not sent when no probe run reads them, and are when one selected does', async () => {
    const {log, command} = counted('unread', 'rows')
    const reader = probe('reader', command)
    await collectHost(local, {probes: [probe('other'), probe('another')], parallelBatches: 2})
    expect(runsOf(log)).toBe(0)
    const snap = await collectHost(local, {probes: [probe('other'), reader], parallelBatches: 2})
    expect(runsOf(log)).toBe(1)
    expect((snap.sections as unknown as Sections).reader).toMatchObject({status: 'ok', data: {value: 'reader+rows'}})
  })

  it('fail for every probe that reads them, each saying so, while their own commands still count', async () => {
    const broken = defineSharedCommand({id: 'broken', platforms: ['Linux'], command: 'echo no such table >&2; exit 5'})
    const snap = await collectHost(local, {probes: [probe('x', broken, undefined, 5), probe('y', broken, undefined, 5)], parallelBatches: 2})
    const s = snap.sections as unknown as Sections
    for (const id of ['x', 'y']) expect(s[id]).toMatchObject({status: 'error', reason: 'table: exit 5: no such table'})
  })

  it('are declared once, under a name of their own, wherever their probes run', () => {
    const {command} = counted('declared', 'rows')
    const section = defineSection({id: 'twice', title: 'twice', version: 1, schema: Schema, upgrades: []})
    const interpret = (() => ({status: 'ok', data: {value: ''}})) as TestProbe['interpret']
    expect(() => defineProbe({section, platforms: ['Linux'], commands: {table: 'true'}, shared: {table: command}, interpret})).toThrow(/names both a command and a shared command/)
    expect(() => defineProbe({section, platforms: ['Linux', 'FreeBSD'], commands: {main: 'true'}, shared: {table: command}, interpret})).toThrow(/does not run on FreeBSD/)
    expect(() => defineSharedCommand({id: 'bad id', platforms: ['Linux'], command: 'true'})).toThrow(/letters and digits/)
  })
})
