import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseCheckUpdate, parseSecurityAdvisories, updatesProbe} from '../../../inventory/updates.js'
import {aptConfigOf, aptMethodOf, foreignFromLists, parseAptLists, parseAptUpgradable, pendingFromLists} from '../../../inventory/updates-apt-lists.js'
import {aptIndexKind, fillFromIndexes, indexOutput, wantedIndexes} from '../../../inventory/updates-apt-index.js'
import {compareKernels, rebootFrom} from '../../../inventory/updates-reboot.js'
import {parseSources} from '../../../inventory/updates-sources.js'
import {parseUpdateState} from '../../../inventory/updates-state.js'
import {UpdatesSchema} from '../../../src/model/sections/updates.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {CommandOutput} from '../../../inventory/kit/probe.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, FIXTURES, loadFixture, probeFixtures, stdoutOf, type ProbeFixture} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('updates')
const aptFixtures = fixtures.filter((f) => f.outputs.pending?.stdout.startsWith('#manager apt'))
const withOutputs = (f: ProbeFixture, changes: Record<string, Partial<CommandOutput>>) =>
  Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, ...(changes[k] ?? {})}]))
/** What `apt list --upgradable` printed: the pending output itself (apt-list method), else the capture taken with it (scripts/capture-apt-list.sh). */
const aptListOf = (f: ProbeFixture) => {
  if (aptMethodOf(stdoutOf(f, 'pending')) === 'apt-list') return stdoutOf(f, 'pending')
  const file = path.join(FIXTURES, f.platform, 'apt-list-upgradable.txt')
  if (!existsSync(file)) throw new Error(`${f.platform}: lists method captured without apt-list-upgradable.txt`)
  return readFileSync(file, 'utf8')
}
const stateLine = (f: ProbeFixture, key: string) =>
  stdoutOf(f, 'state')
    .split('\n')
    .find((l) => l.startsWith(`${key} `))
    ?.slice(key.length + 1)

describe('updates probe on captured output', () => {
  it('has captures from several apt systems', () => {
    expect(aptFixtures.length).toBeGreaterThanOrEqual(3)
  })

  for (const f of aptFixtures) {
    it(`${f.platform}: counts what apt list --upgradable lists`, () => {
      const r = updatesProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(UpdatesSchema, r.data)).toEqual([])
      const d = r.data!
      const listed = aptListOf(f)
        .split('\n')
        .filter((l) => l.includes(' [upgradable from: '))
      expect(d.manager).toBe('apt')
      expect(d.method).toBe(aptMethodOf(stdoutOf(f, 'pending')))
      expect(d.pending).toBe(listed.length)
      // the security count is evidence only where a security suite is configured (and its lists downloaded)
      const securitySuite = /^\s*(Suites:.*\S-security\b|deb\s.*\S-security\s)/m.test(stdoutOf(f, 'sources'))
      expect(d.securitySource).toBe(securitySuite)
      if (securitySuite) {
        expect(r.status).toBe('ok')
        expect(d.security).toBe(listed.filter((l) => /^[^/]+\/\S*-security/.test(l)).length)
      } else {
        expect(r.status).toBe('partial')
        expect(r.reason).toBe('no security source configured (no *-security suite among the apt sources): pending security updates unknown')
        expect(d.security).toBeUndefined()
      }
      expect(d.packages!.map((p) => p.name)).toEqual(listed.map((l) => l.split('/')[0]))
      // the lists folder's mtime, as stat printed it
      const lists = stateLine(f, 'mtime')
      expect(lists).toMatch(/ \/var\/lib\/apt\/lists$/)
      expect(d.cacheUpdatedAt).toBe(new Date(Number(lists!.split(' ')[0]) * 1000).toISOString())
      expect(d.cacheAgeSeconds).toBe(Number(stateLine(f, 'now')) - Number(lists!.split(' ')[0]))
      expect(d.cacheStale).toBe(false)
      expect(d.reboot.runningKernel).toBe(stateLine(f, 'kernel'))
    })
  }

  for (const f of aptFixtures.filter((x) => aptMethodOf(stdoutOf(x, 'pending')) === 'lists')) {
    it(`${f.platform}: the lists method finds exactly what apt list --upgradable printed at the same time`, () => {
      const key = (p: {name: string; architecture?: string; current?: string; candidate: string; security: boolean; origins: string[]}) =>
        `${p.name}/${[...p.origins].sort().join(',')} ${p.candidate} ${p.architecture} ${p.current} ${p.security}`
      const fromApt = parseAptUpgradable(aptListOf(f)).map(key)
      const fromLists = pendingFromLists(parseAptLists(stdoutOf(f, 'pending'))).map(key)
      expect(fromLists).toEqual(fromApt)
    })
  }

  it('finds the configured sources the package lists came from: their suites are the lists\' codenames', () => {
    for (const f of aptFixtures) {
      const d = updatesProbe.interpret(f.outputs, contextOf(f)).data!
      const codenames = [...new Set(stdoutOf(f, 'pending').split('\n').filter((l) => l.startsWith('F Codename: ')).map((l) => l.slice(12).trim()))].sort()
      expect(d.sources!.filter((x) => x.type === 'deb').map((x) => x.suite).sort(), f.platform).toEqual(codenames)
      expect(d.sources!.every((x) => x.uri?.startsWith('http'))).toBe(true)
    }
    // this machine: deb822 (debian.sources) with the security suite; the chroots: debootstrap's one line, without it
    expect(updatesProbe.interpret(loadFixture('debian-12-root', 'updates').outputs, contextOf(loadFixture('debian-12-root', 'updates'))).data!.sources).toContainEqual(
      expect.objectContaining({file: '/etc/apt/sources.list.d/debian.sources', type: 'deb', suite: 'bookworm-security', components: ['main'], security: true}),
    )
    for (const p of ['debian-11-chroot', 'debian-13-chroot']) {
      const f = loadFixture(p, 'updates')
      expect(updatesProbe.interpret(f.outputs, contextOf(f)).data).toMatchObject({securitySource: false, sources: [{file: '/etc/apt/sources.list', type: 'deb', security: false}]})
    }
  })

  it('uses the index method on every captured Debian, where nothing makes apt choose otherwise', () => {
    // Debian 12 here has pins in preferences.d (nodejs, nsolid from deb.nodesource.com, a source no list comes from)
    for (const f of aptFixtures) expect(updatesProbe.interpret(f.outputs, contextOf(f)).data!.method, f.platform).toBe('index')
  })

  for (const f of aptFixtures.filter((x) => aptMethodOf(stdoutOf(x, 'pending')) === 'index')) {
    it(`${f.platform}: the index method finds exactly what apt list --upgradable printed at the same time, from the lists' hashes alone`, () => {
      const key = (p: {name: string; architecture?: string; current?: string; candidate: string; security: boolean; origins: string[]}) =>
        `${p.name}/${[...p.origins].sort().join(',')} ${p.candidate} ${p.architecture} ${p.current} ${p.security}`
      const text = stdoutOf(f, 'pending')
      // the host decompressed nothing: no stanza of a list is in its output, only each list's hash; nor does it list
      // the installed packages again: they are the shared dpkg query's, which the packages section reads too
      expect(text).not.toMatch(/^[PI] /m)
      const lists = parseAptLists(indexOutput(text, f.outputs.installed).text!)
      expect(lists.installed.length).toBe(stdoutOf(f, 'installed').trimEnd().split('\n').length)
      expect(lists.lists.length).toBeGreaterThan(0)
      for (const l of lists.lists) expect(l.index?.sha256, l.file).toMatch(/^[0-9a-f]{64}$/)
      expect(wantedIndexes(lists).map((w) => w.sha256).sort()).toEqual(Object.keys(f.contents ?? {}).sort())
      expect(fillFromIndexes(lists, contextOf(f).contents, undefined)).toBeUndefined()
      expect(pendingFromLists(lists).map(key)).toEqual(parseAptUpgradable(aptListOf(f)).map(key))
    })
  }

  it('without the content of a list, the index method says which list and why, and counts nothing', () => {
    const f = aptFixtures.find((x) => aptMethodOf(stdoutOf(x, 'pending')) === 'index')!
    const sha = Object.keys(f.contents!)[0]!
    const context = {...contextOf(f), contents: new Map([...contextOf(f).contents!].filter(([k]) => k !== sha)), contentProblems: new Map([[sha, 'reading it timed out']])}
    const r = updatesProbe.interpret(f.outputs, context)
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/pending updates unknown: the package list \/var\/lib\/apt\/lists\/\S+ could not be read: reading it timed out/)
    expect(r.data!.pending).toBeUndefined()
    expect(r.data!.security).toBeUndefined()
    expect(r.data!.foreign).toBeUndefined()
  })

  it('hosts that send the same lists share one computation, yet each gets its own answer, and other contents are not mixed in', () => {
    const f = aptFixtures.find((x) => aptMethodOf(stdoutOf(x, 'pending')) === 'index' && x.contents && Object.keys(x.contents).length > 1)!
    const shared = contextOf(f)
    const first = updatesProbe.interpret(f.outputs, shared)
    const second = updatesProbe.interpret(f.outputs, shared)
    expect(second.data).toEqual(first.data)
    expect(second.data!.packages).not.toBe(first.data!.packages)
    // one host's answer is its own: changing it changes no other host's
    const before = structuredClone(second.data)
    first.data!.packages?.push({name: 'intruder', version: '1', candidate: '2', architecture: 'amd64', security: true, origins: []} as never)
    if (first.data!.foreign) first.data!.foreign.names.push('intruder')
    expect(updatesProbe.interpret(f.outputs, shared).data).toEqual(before)
    // the same text with a list that could not be had: that host's own answer, not the one kept
    const sha = Object.keys(f.contents!)[0]!
    const lacking = {...shared, contents: new Map([...shared.contents!].filter(([k]) => k !== sha)), contentProblems: new Map([[sha, 'reading it timed out']])}
    const r = updatesProbe.interpret(f.outputs, lacking)
    expect(r.status).toBe('partial')
    expect(r.data!.pending).toBeUndefined()
    expect(updatesProbe.interpret(f.outputs, shared).data).toEqual(before)
    // the same lists on a host with other packages installed: its own answer, not the one kept
    const pending = before!.packages!.find((p) => p.current)!
    const installed = f.outputs.installed!
    const upToDate = installed.stdout.replace(new RegExp(`^(${pending.name}(?::[^\\t]*)?\\t)[^\\t]+\\t`, 'm'), `$1${pending.candidate}\t`)
    expect(upToDate).not.toBe(installed.stdout)
    const other = updatesProbe.interpret({...f.outputs, installed: {...installed, stdout: upToDate}}, shared).data!
    expect(other.packages!.map((p) => p.name)).not.toContain(pending.name)
    expect(other.pending).toBe(before!.pending! - before!.packages!.filter((p) => p.name === pending.name).length)
    expect(updatesProbe.interpret(f.outputs, shared).data).toEqual(before)
  })

  it('without the installed packages (the shared dpkg query failed), the index method asks apt on the host, and never counts on its own', () => {
    const f = aptFixtures.find((x) => aptMethodOf(stdoutOf(x, 'pending')) === 'index')!
    const failed = {...f.outputs, installed: {...f.outputs.installed!, stdout: '', stderr: 'dpkg-query: error: parsing file /var/lib/dpkg/status\n', exitCode: 2}}
    const more = updatesProbe.followUp!(failed, contextOf(f))!
    expect(more.pending).toMatch(/^echo "#manager apt"; echo "#method apt-list"; printf '#fallback %s\\n' 'the installed packages were not read \(dpkg-query/)
    expect(more.pending).toMatch(/exec apt list --upgradable$/)
    // had the second round trip failed too: unknown, with the reason
    const r = updatesProbe.interpret(failed, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^pending updates unknown: the installed packages were not read \(dpkg-query/)
    expect(r.data!.pending).toBeUndefined()
    expect(r.data!.foreignReason).toMatch(/^not read: the installed packages were not read/)
  })

  it('a phased update of an installed package leaves the count to apt on the host: unknown, never a guess', () => {
    const f = aptFixtures.find((x) => aptMethodOf(stdoutOf(x, 'pending')) === 'index')!
    const lists = parseAptLists(indexOutput(stdoutOf(f, 'pending'), f.outputs.installed).text!)
    const [sha, digest] = Object.entries(f.contents!).find(([, d]) => d !== '')!
    const phased = digest.replace(/\n/, ' phased\n')
    const contents = new Map(Object.entries(f.contents!).map(([k, d]) => [k, aptIndexKind.load(k === sha ? phased : d)]))
    expect(fillFromIndexes(lists, contents, undefined)).toMatch(/^phased update \(Phased-Update-Percentage\) of \S+: apt on the host decides$/)
  })

  it('reads the pending and security updates of Debian 12, with installed and candidate versions', () => {
    const f = loadFixture('debian-12-root', 'updates')
    const d = updatesProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.pending).toBeGreaterThan(100)
    expect(d.security).toBeGreaterThan(0)
    const line = aptListOf(f)
      .split('\n')
      .find((l) => l.includes('-security ') || l.includes('-security,'))!
    const [nameArchive, candidate, arch] = line.split(' ')
    const p = d.packages!.find((x) => x.name === nameArchive!.split('/')[0] && x.architecture === arch)!
    expect(p).toMatchObject({candidate, security: true, current: /\[upgradable from: (.+)\]/.exec(line)![1]})
    // this machine is a container: no kernel in /boot, no reboot-required flag, no unattended-upgrades
    expect(d.reboot.installedKernels).toEqual([])
    expect(d.reboot.required).toBeUndefined()
    expect(d.automaticUpdates).toEqual({mechanism: 'none', enabled: false})
  })

  it('gives an ordinary user the same answer as root: nothing here needs root', () => {
    const user = loadFixture('debian-12-user', 'updates')
    expect(user.uid).not.toBe(0)
    const r = updatesProbe.interpret(user.outputs, contextOf(user))
    expect(r.status).toBe('ok')
    const root = updatesProbe.interpret(loadFixture('debian-12-root', 'updates').outputs, contextOf(user)).data!
    expect(r.data!.packages!.map((p) => p.name).sort()).toEqual(root.packages!.map((p) => p.name).sort())
  })

  it('reads unattended-upgrades as enabled from APT::Periodic (Debian 11) and the timer (Debian 13)', () => {
    const d11 = updatesProbe.interpret(loadFixture('debian-11-chroot', 'updates').outputs, contextOf(loadFixture('debian-11-chroot', 'updates'))).data!
    expect(d11.automaticUpdates).toMatchObject({mechanism: 'unattended-upgrades', enabled: true, unattendedUpgrade: '1'})
    const f13 = loadFixture('debian-13-chroot', 'updates')
    const d13 = updatesProbe.interpret(f13.outputs, contextOf(f13)).data!
    expect(d13.automaticUpdates).toMatchObject({mechanism: 'unattended-upgrades', enabled: true, unit: 'apt-daily-upgrade.timer', unitState: 'enabled'})
  })

  it('reads apt\'s unattended-upgrade settings from the pending command\'s one apt-config; not read, enabled is not told', () => {
    const f11 = loadFixture('debian-11-chroot', 'updates')
    // one apt-config a host: the state command asks it nothing
    expect(f11.outputs.state!.command).not.toContain('apt-config')
    expect(stdoutOf(f11, 'pending')).toMatch(/^#aptconfig read\n#aptconf UU='1'\n/m)
    const unread = stdoutOf(f11, 'pending').replace(/^#aptconf(ig)? .*\n/gm, '')
    const r = updatesProbe.interpret(withOutputs(f11, {pending: {stdout: unread}}), contextOf(f11))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/apt's unattended-upgrade settings not read \(apt-config did not answer\)/)
    expect(r.data!.automaticUpdates).toEqual({mechanism: 'unattended-upgrades'})
    // read, with nothing set: off (apt's default)
    const unset = stdoutOf(f11, 'pending').replace(/^#aptconf .*\n/gm, '')
    expect(updatesProbe.interpret(withOutputs(f11, {pending: {stdout: unset}}), contextOf(f11)).data!.automaticUpdates).toMatchObject({enabled: false, unattendedUpgrade: ''})
    // a timer switched off says off whatever apt's settings
    const masked = stdoutOf(f11, 'state').replace(/^tool unattended-upgrade$/m, 'tool unattended-upgrade\nunit apt-daily-upgrade.timer masked')
    expect(updatesProbe.interpret(withOutputs(f11, {pending: {stdout: unread}, state: {stdout: masked}}), contextOf(f11)).data!.automaticUpdates).toMatchObject({enabled: false, unitState: 'masked'})
  })

  it('aptConfigOf: the #aptconf lines after #aptconfig read, none without it; anything else there is an error', () => {
    expect(aptConfigOf("#manager apt\n#aptconfig read\n#aptconf UU='1'\n#aptconf EN='0'\n#method index\n")).toEqual(new Map([['UU', '1'], ['EN', '0']]))
    expect(aptConfigOf('#manager apt\n#method apt-list\n')).toBeUndefined()
    expect(aptConfigOf(undefined)).toBeUndefined()
    expect(() => aptConfigOf('#aptconfig read\n#aptconf UU=1\n')).toThrow(ParseError)
  })

  it('says "not installed" on a system with neither apt nor dnf nor yum', () => {
    const f = loadFixture('rpm-db', 'updates')
    const r = updatesProbe.interpret(f.outputs, contextOf(f))
    expect(r).toEqual({status: 'unavailable', reason: 'not installed: no apt, dnf or yum'})
  })
})

describe('updates probe decisions', () => {
  const f = loadFixture('debian-12-root', 'updates')
  const state = stdoutOf(f, 'state')
  const now = Number(stateLine(f, 'now'))

  it('does not count pending security updates where no security source is configured', () => {
    const noSecurity = stdoutOf(f, 'sources').replace(/ bookworm-security/g, ' bookworm-backports')
    const r = updatesProbe.interpret(withOutputs(f, {sources: {stdout: noSecurity}}), contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^no security source configured \(no \*-security suite among the apt sources\): pending security updates unknown/)
    expect(r.data!.securitySource).toBe(false)
    expect(r.data!.security).toBeUndefined()
    expect(r.data!.pending).toBe(updatesProbe.interpret(f.outputs, contextOf(f)).data!.pending)
  })

  it('does not count them either when the security suite is configured but its lists were never downloaded', () => {
    // the security archive's lists removed from what the target printed (as before the first apt-get update after adding it)
    const text = stdoutOf(f, 'pending')
    const blocks = text.split(/^(?=L )/m)
    const kept = blocks.filter((b) => !/^F (Suite|Codename): \S*-security$/m.test(b)).join('')
    expect(kept.length).toBeLessThan(text.length)
    const r = updatesProbe.interpret(withOutputs(f, {pending: {stdout: kept}}), contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/security suite's package lists were never downloaded/)
    expect(r.data!.security).toBeUndefined()
  })

  it('says a cache older than a week is stale, and why', () => {
    const later = state.replace(/^now \d+$/m, `now ${now + 30 * 86400}`)
    const r = updatesProbe.interpret(withOutputs(f, {state: {stdout: later}}), contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^stale package cache: last refreshed 30 days ago/)
    expect(r.data!.cacheStale).toBe(true)
  })

  it('does not count pending updates without package lists', () => {
    const none = state.replace(/^aptlists \d+\n/m, '')
    const r = updatesProbe.interpret(withOutputs(f, {state: {stdout: none}}), contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/no package lists/)
    expect(r.data!.pending).toBeUndefined()
  })

  it('reads apt list --upgradable when the target fell back to it, and says so', () => {
    const text = `#manager apt\n#method apt-list\n#fallback APT::Default-Release is set\n${aptListOf(f)}`
    const r = updatesProbe.interpret(withOutputs(f, {pending: {stdout: text}}), contextOf(f))
    const fast = updatesProbe.interpret(f.outputs, contextOf(f))
    expect(r.data!.method).toBe('apt-list')
    expect(r.data!.packages!.map((p) => p.name)).toEqual(fast.data!.packages!.map((p) => p.name))
  })

  it('foreign packages come from the lists pass itself: this machine names them (root and nobody alike), the debootstrap chroots have none', () => {
    const root = updatesProbe.interpret(loadFixture('debian-12-root', 'updates').outputs, contextOf(loadFixture('debian-12-root', 'updates'))).data!
    // the Google Cloud CLI packages installed here come from a source no longer configured
    expect(root.foreign!.count).toBeGreaterThan(0)
    expect(root.foreign!.names).toContain('google-cloud-cli')
    expect(root.foreign!.names).not.toContain('bash')
    expect(root.foreignReason).toBeUndefined()
    const user = loadFixture('debian-12-user', 'updates')
    expect(updatesProbe.interpret(user.outputs, contextOf(user)).data!.foreign).toEqual(root.foreign)
    for (const p of ['debian-11-chroot', 'debian-13-chroot']) {
      const c = loadFixture(p, 'updates')
      expect(updatesProbe.interpret(c.outputs, contextOf(c)).data!.foreign, p).toEqual({count: 0, names: []})
    }
  })

  it('foreign: an installed name with no P line is foreign, one only in config-files state is not', () => {
    const text = ['#manager apt', '#method lists', '#arch amd64', 'I a 1 amd64 ii ', 'I b:amd64 1 amd64 ii ', 'I c 1 all rc ', 'I d 1 all hi ', 'L /l_Packages', 'R /l_InRelease', 'F Suite: s', 'P a 2 amd64'].join('\n')
    expect(foreignFromLists(parseAptLists(text))).toEqual({count: 2, names: ['b', 'd']})
  })

  it('foreign is unknown, with the reason, when the lists were not read', () => {
    const text = `#manager apt\n#method apt-list\n#fallback APT::Default-Release is set\n${aptListOf(f)}`
    const r = updatesProbe.interpret(withOutputs(f, {pending: {stdout: text}}), contextOf(f)).data!
    expect(r.foreign).toBeUndefined()
    expect(r.foreignReason).toBe('not read: the package lists were not read (APT::Default-Release is set)')
  })

  it('says which method failed when reading the lists fails', () => {
    const r = updatesProbe.interpret(withOutputs(f, {pending: {stdout: '#manager apt\n#method lists\n', exitCode: 2, stderr: 'sh: 1: awk: not found\n'}}), contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^reading the apt lists: exit 2/)
  })

  it('keeps reboot and automatic-update facts when apt fails', () => {
    const r = updatesProbe.interpret(withOutputs(f, {pending: {stdout: '#manager apt\n', exitCode: 100, stderr: 'E: The package lists are broken\n'}}), contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^apt list --upgradable: exit 100/)
    expect(r.data!.pending).toBeUndefined()
    expect(r.data!.reboot.runningKernel).toBe(stateLine(f, 'kernel'))
  })

  it('reads reboot-required and a newer installed kernel', () => {
    const s = parseUpdateState(
      'now 1700000000\nboot 1690000000\nkernel 6.1.0-25-amd64\nmtime 1695000000 /var/run/reboot-required\nrebootpkg linux-image-6.1.0-26-amd64\n' +
        'mtime 1680000000 /boot/vmlinuz-6.1.0-25-amd64\nmtime 1695000000 /boot/vmlinuz-6.1.0-26-amd64\nmodule 6.1.0-25-amd64\n',
    )
    expect(rebootFrom(s)).toEqual({
      required: true,
      reasons: ['/var/run/reboot-required exists', 'kernel 6.1.0-26-amd64 installed, 6.1.0-25-amd64 running'],
      packages: ['linux-image-6.1.0-26-amd64'],
      runningKernel: '6.1.0-25-amd64',
      installedKernels: ['6.1.0-25-amd64', '6.1.0-26-amd64'],
      newestKernel: '6.1.0-26-amd64',
    })
  })

  it('says no reboot is needed only when a signal can say so', () => {
    const running = parseUpdateState('now 1700000000\nkernel 5.14.0-427.el9.x86_64\nmodule 5.14.0-427.el9.x86_64\nmodule 5.14.0-362.el9.x86_64\n')
    expect(rebootFrom(running).required).toBe(false)
    const told = parseUpdateState('now 1700000000\nkernel 5.14.0-427.el9.x86_64\nneedsrestarting 1\n')
    expect(rebootFrom(told).required).toBe(true)
    expect(rebootFrom(parseUpdateState('now 1700000000\nkernel 6.18.44\n')).required).toBeUndefined()
  })

  it('compares kernel releases by their numbers', () => {
    expect(compareKernels('6.1.0-26-amd64', '6.1.0-9-amd64')).toBeGreaterThan(0)
    expect(compareKernels('5.14.0-427.13.1.el9_4.x86_64', '5.14.0-427.el9.x86_64')).toBeGreaterThan(0)
    expect(compareKernels('6.1.0-26-cloud-amd64', '6.1.0-26-amd64')).toBe(0)
  })
})

describe('candidates chosen like apt', () => {
  const lists = (installed: string, ...archives: [string, string][]) =>
    `#manager apt\n#method lists\n#arch amd64\n${installed}` +
    archives.map(([fields, pkgs], i) => `L /l/${i}_Packages\nR /l/${i}_InRelease\n${fields}${pkgs}`).join('')
  const pending = (text: string) => pendingFromLists(parseAptLists(text))

  it('takes the highest version of a default archive, from the architecture or all', () => {
    const text = lists('I foo 1.0-1 amd64 ii \nI bar 2 all ii \n', ['F Suite: stable\n', 'P foo 1.0-2 amd64\nP foo 1.0-10 amd64\nP foo 9 i386\nP bar 3 amd64\n'], ['F Suite: stable-security\n', 'P foo 1.0-10 amd64\n'])
    expect(pending(text)).toEqual([
      {name: 'bar', architecture: 'amd64', current: '2', candidate: '3', security: false, origins: ['stable']},
      {name: 'foo', architecture: 'amd64', current: '1.0-1', candidate: '1.0-10', security: true, origins: ['stable', 'stable-security']},
    ])
  })

  it('skips NotAutomatic archives, follows ButAutomaticUpgrades ones, never downgrades, ignores removed packages', () => {
    const exp = ['F Suite: experimental\nF NotAutomatic: yes\n', 'P foo 3 amd64\nP baz 5 amd64\n'] as [string, string]
    const bpo = ['F Suite: stable-backports\nF NotAutomatic: yes\nF ButAutomaticUpgrades: yes\n', 'P foo 2~bpo1 amd64\nP qux 2 amd64\n'] as [string, string]
    const main = ['F Suite: stable\n', 'P foo 1 amd64\nP baz 1 amd64\nP qux 1.5 amd64\nP gone 9 amd64\n'] as [string, string]
    // foo 1.5 installed: backports' 2~bpo1 (100) beats the status file (100, reached later); experimental's 3 (1) never wins
    expect(pending(lists('I foo 1.5 amd64 ii \nI baz 1 amd64 ii \nI gone 1 amd64 rc \n', exp, bpo, main)).map((p) => `${p.name} ${p.candidate}`)).toEqual(['foo 2~bpo1'])
    // qux 1 installed: the default archive's 1.5 (500) beats backports' 2 (100)
    expect(pending(lists('I qux 1 amd64 ii \n', bpo, main)).map((p) => p.candidate)).toEqual(['1.5'])
    // installed newer than every archive: nothing pending
    expect(pending(lists('I baz 7 amd64 ii \n', exp, main))).toEqual([])
  })
})

describe('updates parsers', () => {
  it('reads apt archives and tells security suites', () => {
    expect(parseAptUpgradable('Listing...\nopenssl/stable-security,stable 3.0.15-1~deb12u1 amd64 [upgradable from: 3.0.14-1~deb12u2]\n')).toEqual([
      {name: 'openssl', architecture: 'amd64', current: '3.0.14-1~deb12u2', candidate: '3.0.15-1~deb12u1', security: true, origins: ['stable-security', 'stable']},
    ])
    expect(parseAptUpgradable('libc6/jammy-updates 2.35-0ubuntu3.8 amd64 [upgradable from: 2.35-0ubuntu3.7]\n')[0]?.security).toBe(false)
    expect(() => parseAptUpgradable('libc6/stable 2.36 amd64\n')).toThrow(ParseError)
  })

  it('reads dnf check-update, a wrapped long name, and stops at obsoleting packages', () => {
    const text =
      '#manager dnf\n\nopenssl.x86_64                 1:3.0.7-27.el9               baseos\n' +
      'python3-a-very-long-package-name-indeed.noarch\n                               2.1-3.el9                    appstream\n' +
      'Obsoleting Packages\ngrub2-tools.x86_64            1:2.06-80.el9           baseos\n    grub2-tools.x86_64        1:2.06-77.el9           @baseos\n'
    expect(parseCheckUpdate(text)).toEqual([
      {name: 'openssl', architecture: 'x86_64', candidate: '1:3.0.7-27.el9', security: false, origins: ['baseos']},
      {name: 'python3-a-very-long-package-name-indeed', architecture: 'noarch', candidate: '2.1-3.el9', security: false, origins: ['appstream']},
    ])
    expect(() => parseCheckUpdate('openssl.x86_64 1:3.0.7-27.el9\n')).toThrow(ParseError)
  })

  it('reads the packages named by dnf 4 and dnf 5 security advisories', () => {
    const dnf4 = 'RHSA-2024:3501 Important/Sec. openssl-1:3.0.7-27.el9.x86_64\nRHSA-2024:3501 Important/Sec. openssl-libs-1:3.0.7-27.el9.x86_64\n'
    const dnf5 = 'Name           Type     Severity  Package                         Issued\nFEDORA-2024-1 security Moderate  curl-8.6.0-8.fc40.x86_64 2024-06-01 00:00:00\n'
    expect([...parseSecurityAdvisories(dnf4)]).toEqual(['openssl.x86_64', 'openssl-libs.x86_64'])
    expect([...parseSecurityAdvisories(dnf5)]).toEqual(['curl.x86_64'])
  })

  it('reads one-line and deb822 apt sources, enabled ones only', () => {
    const text =
      '#manager apt\n==> /etc/apt/sources.list\ndeb [arch=amd64 signed-by=/k.gpg] http://archive.ubuntu.com/ubuntu jammy main restricted # the archive\n' +
      'deb http://security.ubuntu.com/ubuntu jammy-security main\ndeb-src http://security.ubuntu.com/ubuntu jammy-security main\n' +
      'deb http://security.debian.org/debian-security buster/updates main\n\n' +
      '==> /etc/apt/sources.list.d/x.sources\nTypes: deb deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie trixie-updates\nComponents: main\n contrib\n\n' +
      'Enabled: no\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: trixie-security\nComponents: main\n\n!denied /etc/apt/sources.list.d/secret.list\n'
    const r = parseSources(text)
    expect(r.denied).toEqual(['/etc/apt/sources.list.d/secret.list'])
    expect(r.sources.map((x) => `${x.type} ${x.uri} ${x.suite} ${x.components.join(',')} ${x.security}`)).toEqual([
      'deb http://archive.ubuntu.com/ubuntu jammy main,restricted false',
      'deb http://security.ubuntu.com/ubuntu jammy-security main true',
      'deb-src http://security.ubuntu.com/ubuntu jammy-security main false',
      'deb http://security.debian.org/debian-security buster/updates main true',
      'deb http://deb.debian.org/debian trixie main,contrib false',
      'deb http://deb.debian.org/debian trixie-updates main,contrib false',
      'deb-src http://deb.debian.org/debian trixie main,contrib false',
      'deb-src http://deb.debian.org/debian trixie-updates main,contrib false',
    ])
    expect(() => parseSources('deb http://x y main\n')).toThrow(ParseError)
  })

  it('reads dnf/yum repositories: BaseOS, AppStream and updates carry security errata, EPEL does not', () => {
    const text =
      '#manager dnf\n==> /etc/yum.repos.d/rocky.repo\n[baseos]\nname=Rocky Linux $releasever - BaseOS\nmirrorlist=https://mirrors.rockylinux.org/mirrorlist?repo=BaseOS-$releasever\nenabled=1\n\n' +
      '[devel]\nname=Rocky Linux $releasever - Devel\nbaseurl=http://dl.rockylinux.org/$contentdir/$releasever/devel/$basearch/os/\nenabled=0\n' +
      '==> /etc/yum.repos.d/redhat.repo\n[rhel-9-for-x86_64-appstream-rpms]\nname = Red Hat Enterprise Linux 9 for x86_64 - AppStream (RPMs)\nbaseurl = https://cdn.redhat.com/content/dist/rhel9/9/x86_64/appstream/os\nenabled = 1\n' +
      '==> /etc/yum.repos.d/epel.repo\n[epel]\nname=EPEL\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=epel-9&arch=$basearch\n'
    expect(parseSources(text).sources.map((x) => `${x.id} ${x.uri} ${x.security}`)).toEqual([
      'baseos https://mirrors.rockylinux.org/mirrorlist?repo=BaseOS-$releasever true',
      'rhel-9-for-x86_64-appstream-rpms https://cdn.redhat.com/content/dist/rhel9/9/x86_64/appstream/os true',
      'epel https://mirrors.fedoraproject.org/metalink?repo=epel-9&arch=$basearch false',
    ])
  })

  it('rejects state output it does not know', () => {
    expect(() => parseUpdateState('hello world\n')).toThrow(ParseError)
    expect(() => parseUpdateState('mtime x /var/lib/apt/lists\nnow 1\nkernel 6\n')).toThrow(ParseError)
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseAptUpgradable survives garbage', () => assertParserSurvivesGarbage(parseAptUpgradable, samples('pending')))
  it('parseCheckUpdate survives garbage', () =>
    assertParserSurvivesGarbage(parseCheckUpdate, ['openssl.x86_64   1:3.0.7-27.el9   baseos\nvim-minimal.x86_64\n   2:9.0-1.el9   baseos\n']))
  it('parseSecurityAdvisories survives garbage', () =>
    assertParserSurvivesGarbage(parseSecurityAdvisories, ['RHSA-2024:3501 Important/Sec. openssl-1:3.0.7-27.el9.x86_64\n']))
  it('parseAptLists survives garbage', () =>
    assertParserSurvivesGarbage(
      parseAptLists,
      samples('pending').filter((t) => aptMethodOf(t) === 'lists').map((t) => t.split('\n').filter((l, i) => i < 40 || l.startsWith('L ') || l.startsWith('F ')).join('\n')),
    ))
  it('parseUpdateState survives garbage', () => assertParserSurvivesGarbage(parseUpdateState, samples('state')))
  it('parseSources survives garbage', () => assertParserSurvivesGarbage(parseSources, samples('sources')))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const g = aptFixtures[0]!
        const outputs = Object.fromEntries(Object.entries(g.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        const fallback = updatesProbe.interpret(g.outputs, contextOf(g)).data!
        return updatesProbe.interpret(outputs, contextOf(g)).data ?? fallback
      },
      [...samples('pending'), ...samples('state')],
      UpdatesSchema,
    ))
})

describe('the index method reads its wanted lists from the L and H lines alone', () => {
  it('as the full parse does, on every capture of it', async () => {
    const {wantedIndexesOf} = await import('../../../inventory/updates-apt-index.js')
    const index = aptFixtures.filter((x) => aptMethodOf(stdoutOf(x, 'pending')) === 'index')
    expect(index.length).toBeGreaterThan(0)
    for (const f of index) expect(wantedIndexesOf(stdoutOf(f, 'pending')), f.platform).toEqual(wantedIndexes(parseAptLists(stdoutOf(f, 'pending'))))
  })
})
