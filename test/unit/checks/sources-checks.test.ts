import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {sourcesProbe} from '../../../inventory/sources.js'
import {updatesProbe} from '../../../inventory/updates.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {withSection} from '../../support/snapshots.js'

/** The package source checks judged on the sources and updates sections interpreted from real captures (packages.foreign reads updates.foreign). */
const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
const base = JSON.parse(readFileSync(path.join(FIXTURES, 'fleet', 'web1.json'), 'utf8')) as Snapshot

function results(platform: string) {
  const f = loadFixture(platform, 'sources')
  let snapshot = withSection(base, 'sources', sourcesProbe.interpret(f.outputs, contextOf(f)))
  if (existsSync(path.join(FIXTURES, platform, 'updates.json'))) {
    const u = loadFixture(platform, 'updates')
    snapshot = withSection(snapshot, 'updates', updatesProbe.interpret(u.outputs, contextOf(u)))
  }
  const all = runChecks(snapshot, packs).results
  return Object.fromEntries(['sources.unsigned', 'packages.foreign'].map((id) => [id, all.find((r) => r.check === id)!]))
}

describe('package source checks on captured hosts', () => {
  it('the chroots (debootstrap sources, nothing foreign): pass', () => {
    for (const p of ['debian-11-chroot', 'debian-13-chroot']) {
      expect(results(p)['sources.unsigned']!.status, p).toBe('pass')
      expect(results(p)['packages.foreign']!.status, p).toBe('pass')
    }
  })

  it('a [trusted=yes] source fails sources.unsigned; its disabled deb822 neighbour does not count', () => {
    const r = results('debian-11-sources-unsigned')['sources.unsigned']!
    expect(r.status).toBe('fail')
    expect(r.reason).toBe('sources.repositories: /etc/apt/sources.list.d/internal.list:1')
  })

  it('this machine: signed sources pass; the packages installed from sources since removed fail packages.foreign', () => {
    const here = results('debian-12-root')
    expect(here['sources.unsigned']!.status).toBe('pass')
    expect(here['packages.foreign']!.status).toBe('fail')
  })
})
