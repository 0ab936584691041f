import {mkdtempSync, rmSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {sweep} from '../../../src/collect/sweep.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {HostSpec} from '../../../src/hosts/model.js'
import {openStore} from '../../../src/store/store.js'
import {hostSpec} from '../../support/host-spec.js'

let dir: string
let closedPort: number

const spec = (name: string, extra: Partial<HostSpec>): HostSpec => hostSpec(name, {transport: 'local', groups: ['lab'], ...extra})

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-sweep-store-'))
  // a loopback port nobody listens on: the host there is unreachable
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closedPort = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('a sweep written into the store as each host finishes', () => {
  it('stores every host from onHostDone, then the judgement in one final step', async () => {
    const store = await openStore(path.join(dir, 'hatang.db'))
    const run = await store.beginRun({source: 'audit', hostsFile: 'hosts.yaml'})
    const seenWhileRunning: number[] = []
    const hosts = [spec('here', {}), spec('there', {}), spec('closed', {transport: 'ssh', port: closedPort, connectTimeoutS: 5})]
    const outcomes = await sweep(hosts, {
      concurrency: 3,
      onHostDone: async (o) => {
        await run.addSnapshot(o.snapshot)
        seenWhileRunning.push((await store.listRuns()).length)
      },
    })
    expect(seenWhileRunning).toEqual([0, 0, 0])
    expect((await store.hosts(run.id)).map((h) => [h.host, h.status])).toEqual([
      ['closed', 'unreachable'],
      ['here', outcomes.find((o) => o.host.name === 'here')!.status],
      ['there', outcomes.find((o) => o.host.name === 'there')!.status],
    ])
    // sweep lets each snapshot go after onHostDone: the judgement reads them back from the run being written
    const snapshots = await store.snapshots(run.id)
    const evaluation = evaluateRun(snapshots, builtinPackNames().map((p) => loadPack(packFile(p))))
    const done = await run.finish({evaluation})
    expect(done).toMatchObject({state: 'complete', hosts: {total: 3, collected: 2}, score: evaluation.scores.overall.score})
    expect((await store.scores(run.id))!.groups.map((g) => [g.group, g.hosts])).toEqual([['lab', 3]])
    expect((await store.snapshots(run.id)).find((s) => s.host.name === 'closed')!.host.reason).toMatch(/ECONNREFUSED|refused/i)
    const seen = await store.lastSeen()
    expect(seen.find((h) => h.host === 'closed')).toMatchObject({lastSeen: null, lastStatus: 'unreachable'})
    expect((await store.staleHosts(1)).map((h) => h.host)).toEqual(['closed'])
    await store.close()
  })
})
