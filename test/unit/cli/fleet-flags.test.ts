import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {fleetChildFlags} from '../../../bin/fleet-flags.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-fleet-flags-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('the Node a sweep runs in', () => {
  it('has a bounded old space that grows with the inventory it names, and semi-spaces of 32 MB', () => {
    expect(fleetChildFlags(['sweep', 'nowhere.yaml', '-o', 'out'], [])).toEqual(['--max-old-space-size=160', '--max-semi-space-size=32'])
    const hosts = path.join(dir, 'hosts.yaml')
    writeFileSync(hosts, 'x'.repeat(2 ** 20))
    expect(fleetChildFlags(['sweep', hosts], [])).toEqual(['--max-old-space-size=460', '--max-semi-space-size=32'])
    expect(fleetChildFlags(['sweep', `--ssh-config=${hosts}`], [])![0]).toBe('--max-old-space-size=460')
  })

  it('keeps what the user gave: an old-space bound runs the sweep in this Node, a semi-space size is inherited', () => {
    expect(fleetChildFlags(['sweep', 'h.yaml'], ['--max-old-space-size=999'])).toBeUndefined()
    expect(fleetChildFlags(['sweep', 'h.yaml'], [], '--max-old-space-size=999')).toBeUndefined()
    expect(fleetChildFlags(['sweep', 'h.yaml'], ['--max-semi-space-size=8'])).toEqual(['--max-old-space-size=160'])
    expect(fleetChildFlags(['sweep', 'h.yaml'], [], '--max-semi-space-size=8')).toEqual(['--max-old-space-size=160'])
  })

  it('is this Node for every other command', () => {
    for (const args of [['audit', 'h.yaml'], ['collect'], [], ['report', 'x']]) expect(fleetChildFlags(args, [])).toBeUndefined()
  })
})
