/**
 * The "lists" method of the updates probe, run for real on this machine through the batch runner, must find
 * exactly the packages `apt list --upgradable` finds at the same moment (the fixtures prove it for the
 * captured systems; this proves the command as it is today, on the lists this machine has).
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {updatesProbe} from '../../inventory/updates.js'
import {type UpdatesData} from '../../src/model/sections/updates.js'
import {collectHost} from '../../src/collect/collect-host.js'
import type {Section} from '../../src/model/section.js'
import {LocalTransport} from '../../src/transport/local-transport.js'
import {ContentStore} from '../../src/collect/indexes/content-store.js'

const hasApt = spawnSync('sh', ['-c', 'command -v apt && command -v dpkg-query']).status === 0

describe.runIf(process.platform === 'linux')('updates probe on this machine', () => {
  it('this machine is a Debian with apt (the suite runs here)', () => {
    expect(hasApt).toBe(true)
  })

  for (const [method, onHost] of [['index', undefined], ['lists', '1']] as const) it(`the ${method} method finds the same pending packages, versions and archives as apt list --upgradable`, async () => {
    // HATANG_APT_ON_HOST=1: the lists read on the host (the fallback where a Release file gives no hash)
    const before = process.env.HATANG_APT_ON_HOST
    if (onHost) process.env.HATANG_APT_ON_HOST = onHost
    else delete process.env.HATANG_APT_ON_HOST
    const cache = mkdtempSync(path.join(os.tmpdir(), 'hatang-live-cache-'))
    const snapshot = await collectHost(new LocalTransport(), {probes: [updatesProbe], native: [], contents: new ContentStore(cache)}).finally(() => {
      rmSync(cache, {recursive: true, force: true})
      if (before === undefined) delete process.env.HATANG_APT_ON_HOST
      else process.env.HATANG_APT_ON_HOST = before
    })
    const section = (snapshot.sections as unknown as Record<string, Section<UpdatesData>>).updates!
    const apt = spawnSync('apt', ['list', '--upgradable'], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}})
    expect(apt.status).toBe(0)
    const listed = apt.stdout
      .split('\n')
      .map((l) => /^([^/\s]+)\/(\S+) (\S+) (\S+) \[upgradable from: ([^\]\s]+)\]$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[4]} ${m[5]} -> ${m[3]}${/-security(,|$)/.test(m[2]!) ? ' security' : ''}`)
      .sort()
    expect(section.data?.method).toBe(method)
    const found = section
      .data!.packages!.map((p) => `${p.name} ${p.architecture} ${p.current} -> ${p.candidate}${p.security ? ' security' : ''}`)
      .sort()
    expect(found).toEqual(listed)
  }, 60_000)

  it('finds the deb sources apt itself has configured (apt-get indextargets), and tells the security suite', async () => {
    const snapshot = await collectHost(new LocalTransport(), {probes: [updatesProbe], native: []})
    const data = (snapshot.sections as unknown as Record<string, Section<UpdatesData>>).updates!.data!
    const apt = spawnSync('apt-get', ['indextargets', '--no-release-info', '--format', '$(REPO_URI) $(RELEASE) $(COMPONENT)', 'Created-By: Packages'], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}})
    expect(apt.status).toBe(0)
    const targets = [...new Set(apt.stdout.split('\n').filter(Boolean))].sort()
    const found = [...new Set(data.sources!.filter((x) => x.type === 'deb').flatMap((x) => x.components.map((c) => `${x.uri!.replace(/\/?$/, '/')} ${x.suite} ${c}`)))].sort()
    expect(found).toEqual(targets)
    expect(data.securitySource).toBe(targets.some((t) => / \S+-security /.test(t)))
  }, 60_000)

  it('reads the sources apt is configured with: its defaults, or where APT_CONFIG points it (then apt-config says where)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-sources-'))
    try {
      const parts = path.join(dir, 'sources.list.d')
      mkdirSync(parts, {mode: 0o755})
      writeFileSync(path.join(parts, 'extra.list'), '# a comment\ndeb http://repo.example.invalid/debian bookworm-security main\n', {mode: 0o644})
      const conf = path.join(dir, 'apt.conf')
      writeFileSync(conf, `Dir::Etc::sourceparts "${parts}/";\n`, {mode: 0o644})
      const sources = (env: Record<string, string> = {}) => {
        const {APT_CONFIG: _, ...base} = process.env
        const r = spawnSync('sh', ['-c', updatesProbe.commands.sources!], {encoding: 'utf8', env: {...base, ...env, LC_ALL: 'C'}})
        expect(r.status).toBe(0)
        return r.stdout
      }
      const moved = sources({APT_CONFIG: conf})
      expect(moved).toContain(`==> ${path.join(parts, 'extra.list')}\ndeb http://repo.example.invalid/debian bookworm-security main\n`)
      expect(moved).not.toContain('# a comment')
      // apt's own configuration here names no other place: the default folder, never the one only APT_CONFIG names
      const plain = sources()
      expect(plain).toMatch(/^#manager apt\n/)
      const shown = [...plain.matchAll(/^==> (.+)$/gm)].map((m) => m[1]!)
      expect(shown.length).toBeGreaterThan(0)
      for (const file of shown) expect(file).toMatch(/^\/etc\/apt\/sources\.list(\.d\/|$)/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('finds the same from uncompressed lists (apt\'s default, read by grep directly) as from the compressed ones here', async () => {
    const lists = '/var/lib/apt/lists'
    const compressed = readdirSync(lists).filter((f) => /_Packages\.(lz4|gz|xz|zst)$/.test(f))
    expect(compressed.length).toBeGreaterThan(0) // this machine keeps its lists compressed (Docker's apt setup)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-lists-'))
    try {
      mkdirSync(path.join(dir, 'partial'))
      for (const f of readdirSync(lists)) {
        const from = path.join(lists, f)
        if (f.endsWith('Release')) expect(spawnSync('cp', ['-p', from, dir]).status).toBe(0)
        const m = /^(.*_Packages)\.(lz4|gz|xz|zst)$/.exec(f)
        if (m) {
          const tool = {lz4: 'lz4cat', gz: 'zcat', xz: 'xzcat', zst: 'zstdcat'}[m[2] as 'lz4']
          expect(spawnSync('sh', ['-c', `${tool} "$0" > "$1"`, from, path.join(dir, m[1]!)]).status).toBe(0)
        }
      }
      const conf = path.join(dir, 'apt.conf')
      writeFileSync(conf, `Dir::State::lists "${dir}/";\n`)
      const run = async (env?: string) => {
        const before = process.env.APT_CONFIG
        if (env) process.env.APT_CONFIG = env
        try {
          const snapshot = await collectHost(new LocalTransport(), {probes: [updatesProbe], native: []})
          return (snapshot.sections as unknown as Record<string, Section<UpdatesData>>).updates!.data!
        } finally {
          if (before === undefined) delete process.env.APT_CONFIG
          else process.env.APT_CONFIG = before
        }
      }
      const [plain, packed] = [await run(conf), await run()]
      expect(plain.method).toBe('index')
      expect(plain.packages!.length).toBeGreaterThan(0)
      expect(plain.packages).toEqual(packed.packages)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 60_000)

  it('reads the preferences apt would: an inert pin keeps the lists, a pin of an origin the lists come from makes apt answer', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-pins-'))
    try {
      // the hosts the lists come from, read here by name: the part before the first _
      const hosts = [...new Set(readdirSync('/var/lib/apt/lists').filter((f) => f.includes('_')).map((f) => f.slice(0, f.indexOf('_'))))]
      expect(hosts.length).toBeGreaterThan(0)
      const parts = path.join(dir, 'preferences.d')
      mkdirSync(parts, {mode: 0o755})
      const conf = path.join(dir, 'apt.conf')
      writeFileSync(conf, `Dir::Etc::preferencesparts "${parts}";\n`, {mode: 0o644})
      const pending = (asUser = false) => {
        const argv = [...(asUser ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []), 'sh', '-c', updatesProbe.commands.pending!]
        const r = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', env: {...process.env, APT_CONFIG: conf, LC_ALL: 'C'}, maxBuffer: 64 << 20})
        return r.stdout
      }
      const headerOf = (out: string) => out.split('\n').filter((l) => /^#(method|fallback) /.test(l))
      writeFileSync(path.join(parts, 'inert.pref'), 'Package: *\nPin: origin repo.example.invalid\nPin-Priority: 100\n', {mode: 0o644})
      expect(headerOf(pending())).toEqual(['#method index'])
      writeFileSync(path.join(parts, 'live.pref'), `Package: *\nPin: origin "${hosts[0]!.toUpperCase()}"\nPin-Priority: 100\n`, {mode: 0o644})
      expect(headerOf(pending())).toEqual(['#method apt-list', `#fallback ${path.join(parts, 'live.pref')}: pins origin ${hosts[0]!.toLowerCase()}`])
      // one it cannot read (an ordinary user, a file of root's): apt would fail as well; the first line of awk's only
      rmSync(path.join(parts, 'live.pref'))
      writeFileSync(path.join(parts, 'secret.pref'), 'Package: *\nPin: release a=stable\nPin-Priority: 100\n', {mode: 0o600})
      for (const d of [dir, parts]) spawnSync('chmod', ['755', d])
      const denied = headerOf(pending(true))
      expect(denied[0]).toBe('#method apt-list')
      expect(denied[1]).toMatch(/^#fallback .*secret\.pref.*[Pp]ermission denied/)
      expect(denied).toHaveLength(2)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 60_000)
})
