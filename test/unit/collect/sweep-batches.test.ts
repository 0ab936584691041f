import {describe, expect, it} from 'vitest'

import {probes} from '../../../inventory/index.js'
import {batchDeadlineMs, collectHost, DEFAULT_PARALLEL_BATCHES} from '../../../src/collect/collect-host.js'
import {probeBatchCommands} from '../../../src/collect/posix-sh/probe-batch.js'
import {SWEEP_BATCHES, sweepHost} from '../../../src/collect/sweep.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'
import {hostSpec} from '../../support/host-spec.js'

const local = hostSpec('here', {transport: 'local'})

// a few cheap sections of this machine, as the shell reads them
const some = probes.filter((p) => ['os', 'memory', 'cpu', 'sysctl'].includes(p.id))

describe('batches a host: one for a swept host, two for a host collected on its own', () => {
  it('a sweep sends each host its commands in one batch (one session), every command in it', async () => {
    expect(SWEEP_BATCHES).toBe(1)
    const outcome = await sweepHost(local, {collect: {probes: some}})
    expect(outcome.status).toBe('ok')
    // a grouped probe's commands go as one command of parts
    const commands = some.reduce((n, p) => n + probeBatchCommands(p, 10_000).length, 0)
    expect(commands).toBe(some.reduce((n, p) => n + (p.grouped ? 1 : Object.keys(p.commands).length), 0))
    expect(outcome.snapshot.meta.batches.map((b) => b.commands)).toEqual([commands])
    expect(outcome.snapshot.meta.probes.filter((p) => p.commands > 1).length).toBeGreaterThan(0)
  })

  it('collect spreads them over two batches in parallel', async () => {
    const snapshot = await collectHost(new LocalTransport(), {probes: some})
    expect(DEFAULT_PARALLEL_BATCHES).toBe(2)
    expect(snapshot.meta.batches).toHaveLength(2)
  })

  it('a batch holding the commands of several gets their deadlines together', () => {
    // collect's two batches: each holds the work of up to two of three
    expect(batchDeadlineMs(10_000)).toBe(60_000)
    expect(batchDeadlineMs(20_000)).toBe(120_000)
    expect(batchDeadlineMs(10_000, 3)).toBe(30_000)
    expect(batchDeadlineMs(10_000, 2)).toBe(60_000)
    expect(batchDeadlineMs(10_000, 1)).toBe(90_000)
    expect(batchDeadlineMs(20_000, 1)).toBe(180_000)
    // more batches than the default are not given less than one deadline each
    expect(batchDeadlineMs(10_000, 8)).toBe(30_000)
  })
})
