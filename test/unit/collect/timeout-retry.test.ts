import {describe, expect, it} from 'vitest'

import {failedSnapshot} from '../../../src/collect/sweep.js'
import {retryDecision, timedOutPart} from '../../../src/collect/timeout-retry.js'
import type {HostSpec} from '../../../src/hosts/model.js'
import type {Snapshot} from '../../../src/model/snapshot.js'

const host: HostSpec = {name: 'web01', address: '127.0.0.1', port: 22, sudo: false, transport: 'ssh', identityFiles: [], knownHostsFiles: [], groups: [], tags: [], source: {file: 'hosts.yaml', line: 3, column: 3}}

/** A collected host's snapshot as collectHost makes it, with the sections and batches given. */
function collected(sections: Record<string, string>, batches: {failure?: string}[] = [{}, {}, {}]): Pick<Snapshot, 'sections' | 'meta'> {
  const base = failedSnapshot(host, 'error', 'x', 'ssh')
  return {
    sections: Object.fromEntries(Object.entries(sections).map(([id, status]) => [id, {status, version: 1, source: 'probe', durationMs: 5}])) as unknown as Snapshot['sections'],
    meta: {...base.meta, probes: Object.keys(sections).map((id) => ({id, status: sections[id] as 'ok', source: 'probe' as const, durationMs: 5, commands: 1})), batches: batches.map((b) => ({commands: 20, durationMs: 900, ...b}))},
  }
}

describe('timedOutPart', () => {
  it('names a connection that timed out (TCP or the SSH handshake: the host ran nothing)', () => {
    expect(timedOutPart('timeout', failedSnapshot(host, 'timeout', '127.0.0.1:22 accepted TCP but did not complete the SSH handshake in time', 'ssh'))).toBe('the connection timed out')
  })

  it('counts sections cut at their timeout and batches cut at their deadline', () => {
    expect(timedOutPart('partial', collected({os: 'ok', packages: 'timeout', updates: 'timeout'}))).toBe('2 sections timed out')
    expect(timedOutPart('partial', collected({os: 'ok', packages: 'timeout'}, [{}, {failure: 'batch timed out after 30 s'}]))).toBe('1 section timed out, a command batch hit its deadline')
    expect(timedOutPart('timeout', collected({os: 'timeout'}))).toBe('1 section timed out')
  })

  it('finds nothing in a host collected whole, or failed for another reason', () => {
    expect(timedOutPart('ok', collected({os: 'ok', packages: 'unavailable'}))).toBeUndefined()
    expect(timedOutPart('partial', collected({os: 'ok', packages: 'error'}, [{failure: 'batch shell exited 2'}]))).toBeUndefined()
    expect(timedOutPart('unreachable', failedSnapshot(host, 'unreachable', 'connection refused by 127.0.0.1:22', 'ssh'))).toBeUndefined()
    expect(timedOutPart('auth-failed', failedSnapshot(host, 'auth-failed', 'no key accepted', 'ssh'))).toBeUndefined()
  })
})

describe('retryDecision', () => {
  it('retries, once, a host that timed out while the sweep was saturated, saying why', () => {
    expect(retryDecision({attempt: 1, timedOut: 'the connection timed out', saturation: 'event loop 3.1 s late'})).toEqual({
      retry: true,
      why: 'the connection timed out while the sweep was saturated (event loop 3.1 s late)',
    })
    expect(retryDecision({attempt: 2, timedOut: 'the connection timed out', saturation: 'event loop 3.1 s late'})).toEqual({retry: false})
  })

  it('does not retry a timeout the sweep was not saturated for (the host is slow), nor any other failure', () => {
    expect(retryDecision({attempt: 1, timedOut: '2 sections timed out', saturation: undefined})).toEqual({retry: false})
    expect(retryDecision({attempt: 1, timedOut: undefined, saturation: 'event loop 3.1 s late'})).toEqual({retry: false})
  })
})
