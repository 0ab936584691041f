/**
 * The "lists" method of the updates probe, run for real on this machine through the batch runner, must find
 * exactly the packages `apt list --upgradable` finds at the same moment (the fixtures prove it for the
 * captured systems; this proves the command as it is today, on the lists this machine has).
 */
import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {updatesProbe, type UpdatesData} from '../../inventory/updates.js'
import {collectHost} from '../../src/collect/collect-host.js'
import type {Section} from '../../src/model/section.js'
import {LocalTransport} from '../../src/transport/local-transport.js'

const hasApt = spawnSync('sh', ['-c', 'command -v apt && command -v dpkg-query']).status === 0

describe.runIf(process.platform === 'linux')('updates probe on this machine', () => {
  it('this machine is a Debian with apt (the suite runs here)', () => {
    expect(hasApt).toBe(true)
  })

  it('the lists method finds the same pending packages, versions and archives as apt list --upgradable', async () => {
    const snapshot = await collectHost(new LocalTransport(), {probes: [updatesProbe], native: []})
    const section = (snapshot.sections as unknown as Record<string, Section<UpdatesData>>).updates!
    const apt = spawnSync('apt', ['list', '--upgradable'], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}})
    expect(apt.status).toBe(0)
    const listed = apt.stdout
      .split('\n')
      .map((l) => /^([^/\s]+)\/(\S+) (\S+) (\S+) \[upgradable from: ([^\]\s]+)\]$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[4]} ${m[5]} -> ${m[3]}${/-security(,|$)/.test(m[2]!) ? ' security' : ''}`)
      .sort()
    expect(section.data?.method).toBe('lists')
    const found = section
      .data!.packages!.map((p) => `${p.name} ${p.architecture} ${p.current} -> ${p.candidate}${p.security ? ' security' : ''}`)
      .sort()
    expect(found).toEqual(listed)
  }, 60_000)
})
