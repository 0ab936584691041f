import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {packagesProbe} from '../../../inventory/packages.js'
import {PackagesSchema} from '../../../src/model/sections/packages.js'
import {DPKG_FORMAT, dpkgItemsOf, dpkgPackages, parseDpkgQuery} from '../../../inventory/kit/dpkg-packages.js'
import {parseRpmQuery, sourceName} from '../../../inventory/packages-rpm.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {CommandOutput} from '../../../inventory/kit/probe.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('packages')
/** A capture's outputs with some commands' fields changed. */
const withOutputs = (f: ReturnType<typeof loadFixture>, changes: Record<string, Partial<CommandOutput>>) =>
  Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, ...(changes[k] ?? {})}]))
const nonEmptyLines = (text: string) => text.split('\n').filter((l) => l !== '')
const answered = (o: CommandOutput | undefined) => o !== undefined && o.ran && o.exitCode === 0

describe('packages probe on captured output', () => {
  it('has captures from dpkg and rpm systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3)
    expect(fixtures.some((f) => answered(f.outputs.rpm) && f.outputs.rpm!.stdout !== '')).toBe(true)
    expect(fixtures.some((f) => answered(f.outputs.dpkg) && f.outputs.dpkg!.stdout !== '')).toBe(true)
  })

  for (const f of fixtures) {
    it(`${f.platform}: reads every entry the managers list`, () => {
      const r = packagesProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe('ok')
      expect(problemsOf(PackagesSchema, r.data)).toEqual([])
      const d = r.data!
      const dpkgLines = answered(f.outputs.dpkg) ? nonEmptyLines(f.outputs.dpkg!.stdout) : []
      const rpmLines = answered(f.outputs.rpm) ? nonEmptyLines(f.outputs.rpm!.stdout) : []
      // dpkg-query -W | wc -l: every entry is kept, "rc" ones included
      expect(d.items.filter((p) => p.manager === 'dpkg')).toHaveLength(dpkgLines.length)
      expect(d.items.filter((p) => p.manager === 'rpm')).toHaveLength(rpmLines.length)
      expect(d.items.filter((p) => p.manager === 'dpkg').map((p) => p.name)).toEqual(dpkgLines.map((l) => l.split('\t')[0]!.split(':')[0]))
      expect(d.items.filter((p) => p.manager === 'dpkg').map((p) => p.status)).toEqual(dpkgLines.map((l) => l.split('\t')[3]!.trim()))
      for (const m of d.managers) expect(d.items.some((p) => p.manager === m)).toBe(true)
    })
  }

  it('reads Debian 12 as dpkg packages, with sources and without the :arch of Multi-Arch names', () => {
    const f = loadFixture('debian-12-root', 'packages')
    const d = packagesProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.managers).toEqual(['dpkg'])
    const line = nonEmptyLines(stdoutOf(f, 'dpkg')).find((l) => l.startsWith('libc6:amd64\t'))!
    expect(d.items.find((p) => p.name === 'libc6' && p.architecture === 'amd64')).toEqual({
      name: 'libc6',
      version: line.split('\t')[1],
      architecture: 'amd64',
      manager: 'dpkg',
      status: 'ii',
      source: 'glibc',
    })
    expect(d.items.find((p) => p.name === 'dpkg')?.status).toBe('ii')
  })

  it('as an ordinary user, reads the same dpkg database; Debian\'s rpm tool without a database is no manager', () => {
    const f = loadFixture('debian-12-user', 'packages')
    expect(f.uid).not.toBe(0)
    const r = packagesProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('ok')
    expect(r.data!.managers).toEqual(['dpkg'])
    expect(r.data!.items.length).toBe(nonEmptyLines(stdoutOf(f, 'dpkg')).length)
  })

  it('reads Debian 11 and 13 chroots', () => {
    for (const platform of ['debian-11-chroot', 'debian-13-chroot']) {
      const f = loadFixture(platform, 'packages')
      const d = packagesProbe.interpret(f.outputs, contextOf(f)).data!
      expect(d.managers).toEqual(['dpkg'])
      expect(d.items.find((p) => p.name === 'apt')?.version).toBe(
        nonEmptyLines(stdoutOf(f, 'dpkg')).find((l) => l.startsWith('apt\t'))!.split('\t')[1],
      )
    }
  })

  it('reads a real rpm database: epoch only when > 0, both arches of one name, gpg-pubkey without arch', () => {
    const f = loadFixture('rpm-db', 'packages')
    const r = packagesProbe.interpret(f.outputs, contextOf(f))
    expect(r.status).toBe('ok')
    const d = r.data!
    expect(d.managers).toEqual(['rpm'])
    const byName = (n: string) => d.items.filter((p) => p.name === n)
    expect(byName('hatang-epoch')).toEqual([
      {name: 'hatang-epoch', version: '2:3.1.4-7.el9', architecture: 'noarch', manager: 'rpm', status: 'installed', source: 'hatang-epoch'},
    ])
    expect(byName('hatang-zero-epoch')[0]?.version).toBe('0.9-1.fc40')
    expect(byName('hatang-lib').map((p) => p.architecture).sort()).toEqual(['i686', 'x86_64'])
    const key = byName('gpg-pubkey')[0]!
    expect(key.architecture).toBeUndefined()
    expect(key.source).toBeUndefined()
    expect(d.items.every((p) => p.status === 'installed')).toBe(true)
  })
})

describe('packages probe decisions', () => {
  const f = loadFixture('debian-12-root', 'packages')
  const with_ = (changes: Record<string, Partial<CommandOutput>>) => withOutputs(f, changes)

  it('says "not installed" when no manager answers', () => {
    const r = packagesProbe.interpret(with_({dpkg: {exitCode: 127, stdout: ''}, rpm: {exitCode: 127, stdout: ''}}), contextOf(f))
    expect(r.status).toBe('unavailable')
    expect(r.reason).toMatch(/^not installed: no package manager found/)
  })

  it('says "needs root" when the rpm database is unreadable', () => {
    const r = packagesProbe.interpret(
      with_({dpkg: {exitCode: 127, stdout: ''}, rpm: {exitCode: 1, stdout: '', stderr: 'error: cannot open Packages database in /var/lib/rpm: Permission denied\n'}}),
      contextOf(f),
    )
    expect(r.status).toBe('unavailable')
    expect(r.reason).toMatch(/needs root/)
  })

  it('parses a dpkg list once for the hosts that send the same one, and shares it frozen', () => {
    const text = f.outputs.dpkg!.stdout
    const a = dpkgItemsOf({...f.outputs.dpkg!})
    const b = dpkgItemsOf({...f.outputs.dpkg!, stdout: `${text}`})
    expect(b).toBe(a)
    expect(a).toEqual(parseDpkgQuery(text))
    expect(Object.isFrozen(a) && a.every((item) => Object.isFrozen(item))).toBe(true)
    expect(() => {
      ;(a[0] as {version?: string}).version = 'changed'
    }).toThrow(TypeError)
    const other = dpkgItemsOf({...f.outputs.dpkg!, stdout: text.split('\n').slice(1).join('\n')})
    expect(other).not.toBe(a)
    expect(other).toHaveLength(a.length - 1)
    // a host's section is its own array over the shared items
    const one = packagesProbe.interpret(f.outputs, contextOf(f))
    const two = packagesProbe.interpret(with_({}), contextOf(f))
    expect(two.data!.items).not.toBe(one.data!.items)
    expect(two.data!.items[0]).toBe(one.data!.items[0])
  })

  it('keeps what one manager said when the other failed', () => {
    const r = packagesProbe.interpret(with_({rpm: {exitCode: 2, stdout: '', stderr: 'error: rpmdb: damaged header\n'}}), contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^rpm: exit 2/)
    expect(r.data!.managers).toEqual(['dpkg'])
  })
})

describe('packages parsers', () => {
  it('reads dpkg states other than installed, and the reinstall-required flag', () => {
    expect(parseDpkgQuery('foo\t1.0-1\tamd64\trc \tfoo-src\nbar\t2\tall\tiUR\tbar\n')).toEqual([
      {name: 'foo', version: '1.0-1', architecture: 'amd64', manager: 'dpkg', status: 'rc', source: 'foo-src'},
      {name: 'bar', version: '2', architecture: 'all', manager: 'dpkg', status: 'iUR', source: 'bar'},
    ])
  })

  it('keeps a foreign architecture qualifier that does not match the field', () => {
    expect(parseDpkgQuery('libc6:i386\t2.36\ti386\tii \tglibc\n')[0]?.name).toBe('libc6')
    expect(parseDpkgQuery('odd:i386\t1\tamd64\tii \todd\n')[0]?.name).toBe('odd:i386')
  })

  it('rejects lines that are not the query format', () => {
    expect(() => parseDpkgQuery('foo 1.0 amd64 ii\n')).toThrow(ParseError)
    expect(() => parseDpkgQuery('foo\t1.0\tamd64\txx\tfoo\n')).toThrow(ParseError)
    expect(() => parseRpmQuery('bash\tx\t5.1\t1\tx86_64\tbash-5.1-1.src.rpm\n')).toThrow(ParseError)
  })

  it('names the source of an rpm', () => {
    expect(sourceName('kernel-5.14.0-427.13.1.el9_4.src.rpm')).toBe('kernel')
    expect(sourceName('python3.11-3.11.7-1.el9.nosrc.rpm')).toBe('python3.11')
    expect(sourceName('(none)')).toBeUndefined()
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseDpkgQuery survives garbage', () => assertParserSurvivesGarbage(parseDpkgQuery, samples('dpkg')))
  it('parseRpmQuery survives garbage', () => assertParserSurvivesGarbage(parseRpmQuery, samples('rpm')))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const g = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(g.outputs).map(([k, v]) => [k, {...v, exitCode: 0, stdout: text}]))
        return packagesProbe.interpret(outputs, contextOf(g)).data ?? {managers: [], items: []}
      },
      [...samples('dpkg'), ...samples('rpm')],
      PackagesSchema,
    ))
})

describe("the rpm command on a dpkg system (Debian's rpm would create ~/.rpmdb when asked)", () => {
  // a private mount namespace of its own (unshare -m): /var/lib is an empty tmpfs there, with a dpkg status file,
  // and the rpm places this machine may have are hidden; a stand-in `rpm` first on PATH writes down that it ran
  // (reachable by nobody too: the stand-in, the homes, and the marks it writes)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-rpm-guard-'))
  chmodSync(dir, 0o777)
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(path.join(bin, 'rpm'), '#!/bin/sh\necho ran >> "$MARK"\nprintf \'tool\\t0\\t1.0\\t1\\tnoarch\\ttool-1.0-1.src.rpm\\n\'\n', {mode: 0o755})
  const NOBODY = 65_534
  const run = (name: string, setup: string, as: 'root' | 'nobody' = 'root') => {
    const home = path.join(dir, name)
    mkdirSync(home)
    if (as === 'nobody') chownSync(home, NOBODY, NOBODY)
    const mark = path.join(dir, `${name}.ran`)
    const script = [
      'mount -t tmpfs none /var/lib && mkdir -p /var/lib/dpkg /var/lib/rpm && : > /var/lib/dpkg/status',
      'for d in /usr/lib/sysimage/rpm /etc/rpm; do if [ -d "$d" ]; then mount -t tmpfs none "$d" || exit 99; fi; done',
      setup,
      as === 'nobody' ? `exec setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups sh -c "$0"` : 'exec sh -c "$0"',
    ].join('\n')
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, packagesProbe.commands.rpm!], {encoding: 'utf8', env: {PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: home, MARK: mark}})
    return {status: r.status, stderr: r.stderr, ran: existsSync(mark), home}
  }

  it('does not start rpm where no rpm database can be: not installed, and nothing written in the home', () => {
    const r = run('none', ':')
    expect(r.stderr).toBe('rpm: no rpm database beside dpkg\n')
    expect(r.status).toBe(127)
    expect(r.ran).toBe(false)
    expect(readdirSync(r.home)).toEqual([])
    // as the probe reads it beside a real dpkg list: rpm is no manager
    const f = loadFixture('debian-12-root', 'packages')
    expect(packagesProbe.interpret(withOutputs(f, {rpm: {stdout: '', stderr: r.stderr, exitCode: r.status}}), contextOf(f)).data?.managers).toEqual(['dpkg'])
  })

  it('starts it where a database or a macros file that could name one is: ~/.rpmdb, /var/lib/rpm, /etc/rpm/macros', () => {
    for (const [name, setup] of [
      ['home', 'mkdir "$HOME/.rpmdb" && : > "$HOME/.rpmdb/rpmdb.sqlite"'],
      ['varlib', ': > /var/lib/rpm/rpmdb.sqlite'],
      // (/etc a tmpfs too: nothing is made on this machine's disk)
      ['macros', 'mount -t tmpfs none /etc && mkdir /etc/rpm && : > /etc/rpm/macros.dbpath'],
      ['rpm-system', 'rm /var/lib/dpkg/status'],
    ] as const) {
      const r = run(name, setup)
      expect(r.status, `${name}: ${r.stderr}`).toBe(0)
      expect(r.ran, name).toBe(true)
    }
  })

  it("does not read another user's own ~/.rpmdb (not the host's; Ansible's facts leave one), but reads the system's as them", () => {
    const own = run('nobody-home', 'mkdir "$HOME/.rpmdb" && : > "$HOME/.rpmdb/rpmdb.sqlite" && chown -R 65534:65534 "$HOME/.rpmdb"', 'nobody')
    expect(own.stderr).toBe('rpm: no rpm database beside dpkg\n')
    expect(own.status).toBe(127)
    expect(own.ran).toBe(false)
    const system = run('nobody-varlib', ': > /var/lib/rpm/rpmdb.sqlite', 'nobody')
    expect(system.status, system.stderr).toBe(0)
    expect(system.ran).toBe(true)
  })
})

describe("the dpkg list read from dpkg's status file (what dpkg-query -W prints, without dpkg-query)", () => {
  const query = `dpkg-query -W -f='${DPKG_FORMAT}'`
  // a stand-in dpkg-query first on PATH: the shared command answers without it unless it has to fall back
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-dpkg-status-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(path.join(bin, 'dpkg-query'), '#!/bin/sh\necho "stand-in dpkg-query"\n', {mode: 0o755})
  const stanza = (fields: string) => `${fields}\nMaintainer: m <m@example.org>\nDescription: d\n continued: not a field\n`
  // every state dpkg-query -l names, Multi-Arch: same of two architectures, a foreign one, "all", a Source with its version
  const status = [
    stanza('Package: a\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: 1:1.0-1'),
    stanza('Package: broken\nStatus: install reinstreq half-installed\nArchitecture: amd64\nVersion: 2:3.4-5'),
    stanza('Package: doc\nStatus: install ok installed\nArchitecture: all\nMulti-Arch: foreign\nVersion: 1'),
    stanza('Package: dpkg\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.21.22'),
    stanza('Package: gone\nStatus: purge ok not-installed\nArchitecture: amd64'),
    stanza('Package: half\nStatus: install ok half-configured\nArchitecture: amd64\nVersion: 4'),
    stanza('Package: held\nStatus: hold ok installed\nArchitecture: amd64\nVersion: 0.9'),
    stanza('Package: libx\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nSource: xlib (1.2-0)\nVersion: 1.2'),
    stanza('Package: libx\nStatus: install ok installed\nArchitecture: i386\nMulti-Arch: same\nSource: xlib (1.2-0)\nVersion: 1.2'),
    stanza('Package: old\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 0.1'),
    stanza('Package: tool\nStatus: install ok installed\nArchitecture: i386\nVersion: 3'),
    stanza('Package: trig\nStatus: install ok triggers-pending\nArchitecture: amd64\nTriggers-Pending: /usr/share/x\nVersion: 7'),
    stanza('Package: unp\nStatus: install ok unpacked\nArchitecture: amd64\nVersion: 8'),
  ].join('\n')
  writeFileSync(path.join(dir, 'status'), status)
  /** The shared command and dpkg-query itself, on this machine or, given `setup`, with /var/lib/dpkg a tmpfs of the test's status file. */
  const both = (setup?: string) => {
    const admin = setup === undefined ? '' : `mount -t tmpfs none /var/lib/dpkg && mkdir /var/lib/dpkg/updates /var/lib/dpkg/info && cp "$DIR/status" /var/lib/dpkg/status && printf 'i386\\n' > /var/lib/dpkg/arch && : > /var/lib/dpkg/available && ${setup} && `
    const script = `${admin}PATH="$BIN:$PATH" sh -c "$0" > "$DIR/shared.out"; ${query} > "$DIR/query.out"`
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, dpkgPackages.command], {encoding: 'utf8', env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DIR: dir, BIN: bin}})
    expect(r.status, r.stderr).toBe(0)
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8').replace(/\n$/, '')
    return {shared: read('shared.out'), query: read('query.out')}
  }

  it('prints what dpkg-query prints for a status file of every state', () => {
    const r = both(':')
    expect(r.shared).toBe(r.query)
    expect(parseDpkgQuery(r.shared).map((p) => `${p.name}:${p.architecture ?? ''} ${p.status}${p.source ? ` ${p.source}` : ''}`)).toEqual([
      'a:amd64 ii a',
      'broken:amd64 iHR broken',
      'doc:all ii doc',
      'dpkg:amd64 ii dpkg',
      'half:amd64 iF half',
      'held:amd64 hi held',
      'libx:amd64 ii xlib',
      'libx:i386 ii xlib',
      'old:amd64 rc old',
      'tool:i386 ii tool',
      'trig:amd64 it trig',
      'unp:amd64 iU unp',
    ])
    expect(r.shared).toContain('tool:i386\t3\ti386\tii \ttool')
  })

  it("prints what dpkg-query prints for this machine's packages", () => {
    const r = both()
    expect(nonEmptyLines(r.shared).length).toBeGreaterThan(100)
    expect(r.shared).toBe(r.query)
  })

  it('leaves it to dpkg-query when dpkg has journaled changes not yet in the status file, or has no "dpkg" package', () => {
    expect(both(': > /var/lib/dpkg/updates/0001').shared).toBe('stand-in dpkg-query')
    expect(both("sed -i 's/^Package: dpkg$/Package: dpkg-x/' /var/lib/dpkg/status").shared).toBe('stand-in dpkg-query')
  })
})
