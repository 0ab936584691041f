import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../inventory/kit/parse-error.js'
import {parseHeld, parseRepositories, sourcesProbe} from '../../../inventory/sources.js'
import {SourcesSchema} from '../../../src/model/sections/sources.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('sources')
const HELD = /^#held (dpkg|versionlock)$/m
const interpret = (platform: string) => {
  const f = loadFixture(platform, 'sources')
  return sourcesProbe.interpret(f.outputs, contextOf(f))
}

describe('sources probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(5))

  for (const f of fixtures) {
    it(`${f.platform}: a valid section, complete (every source file is world-readable)`, () => {
      const r = sourcesProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(SourcesSchema, r.data)).toEqual([])
      expect(r.status).toBe('ok')
      expect(r.data!.manager).toBe('apt')
      expect(r.data!.repositories.length).toBeGreaterThan(0)
    })
  }

  it('debootstrap chroots: the release only, checked against signatures, nothing held, nothing foreign', () => {
    for (const [p, suite] of [['debian-11-chroot', 'bullseye'], ['debian-13-chroot', 'trixie']] as const) {
      expect(interpret(p).data, p).toEqual({
        manager: 'apt',
        aptInsecure: {allowInsecureRepositories: false, allowUnauthenticated: false},
        repositories: [{file: '/etc/apt/sources.list', line: 1, id: '/etc/apt/sources.list:1', format: 'one-line', enabled: true, types: ['deb'], uris: ['http://deb.debian.org/debian'], suites: [suite], components: ['main'], trusted: false, allowInsecure: false, signatureChecked: true}],
        held: [],
      })
    }
  })

  it('this machine: deb822 with Signed-By, the same as root and as nobody', () => {
    const root = interpret('debian-12-root').data!
    expect(root.repositories[0]).toMatchObject({file: '/etc/apt/sources.list.d/debian.sources', line: 1, format: 'deb822', enabled: true, signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg', signatureChecked: true})
    expect(root.repositories.flatMap((r) => r.suites)).toContain('bookworm-security')
    expect(interpret('debian-12-user').data).toEqual(root)
  })

  it('a chroot copy with a [trusted=yes] source, a disabled deb822 source and a held package', () => {
    const d = interpret('debian-11-sources-unsigned').data!
    expect(d.repositories.map((r) => [r.file, r.line, r.enabled, r.trusted, r.signatureChecked])).toEqual([
      ['/etc/apt/sources.list', 1, true, false, true],
      ['/etc/apt/sources.list.d/internal.list', 1, true, true, false],
      ['/etc/apt/sources.list.d/backports.sources', 1, false, false, true],
    ])
    expect(d.repositories[2]).toMatchObject({suites: ['bullseye-backports'], signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg'})
    expect(d.held).toEqual(['e2fsprogs'])
  })
})

describe('sources parsers', () => {
  it('reads one-line options, deb822 inline keys and Trusted/Allow-Insecure, apt-wide insecure settings', () => {
    const text = [
      '#manager apt', '#insecure true false',
      '!file /etc/apt/sources.list', '1:# deb http://old/ x main', '2:deb [arch=amd64 signed-by=/k.gpg allow-insecure=yes] http://a/ s c1 c2 # note',
      '!file /etc/apt/sources.list.d/x.sources', '1:Types: deb deb-src', '2:URIs: http://b/', '3:Suites: s', '4:Signed-By:', '5: -----BEGIN PGP PUBLIC KEY BLOCK-----', '6: .', '7:Trusted: yes', '8:', '9:Types: deb', '10:URIs: http://c/', '11:Suites: s',
      '!denied /etc/apt/sources.list.d/secret.list',
    ].join('\n')
    const r = parseRepositories(text)
    expect(r.aptInsecure).toEqual({allowInsecureRepositories: true, allowUnauthenticated: false})
    expect(r.unreadable).toEqual(['/etc/apt/sources.list.d/secret.list'])
    expect(r.repositories.map((x) => [x.line, x.signedBy, x.trusted, x.allowInsecure, x.components, x.signatureChecked])).toEqual([
      [2, '/k.gpg', false, true, ['c1', 'c2'], false],
      [1, '(inline key)', true, false, [], false],
      // apt-wide AllowInsecureRepositories: no source is checked
      [9, undefined, false, false, [], false],
    ])
  })

  it('reads dnf repos: enabled, gpgcheck, repo_gpgcheck, baseurl or mirrorlist', () => {
    const r = parseRepositories(['#manager dnf', '!file /etc/yum.repos.d/a.repo', '1:[baseos]', '2:name=BaseOS', '3:mirrorlist=https://m/?r=baseos', '4:gpgcheck=1', '5:[extra]', '6:baseurl=http://x/ http://y/', '7:gpgcheck=0', '8:enabled=0', '9:repo_gpgcheck=1'].join('\n'))
    expect(r.repositories.map((x) => [x.id, x.line, x.enabled, x.uris, x.gpgcheck, x.repoGpgcheck, x.signatureChecked])).toEqual([
      ['baseos', 1, true, ['https://m/?r=baseos'], true, undefined, true],
      ['extra', 5, false, ['http://x/', 'http://y/'], false, true, false],
    ])
  })

  it('held: one name a line after the marker', () => {
    expect(parseHeld('#held dpkg\nlinux-image-amd64\n')).toEqual(['linux-image-amd64'])
  })

  it('one command: the repositories, then the held part after its marker; a command cut before it loses only the held', () => {
    const text = ['#manager apt', '#insecure false false', '!file /etc/apt/sources.list', '1:deb http://a/ s main'].join('\n')
    const ok = sourcesProbe.interpret({sources: {ran: true, stdout: `${text}\n#held dpkg\ne2fsprogs\n`, stderr: '', exitCode: 0, timedOut: false, durationMs: 1}}, {uid: 0, privileged: true, os: "Linux"})
    expect(ok).toMatchObject({status: 'ok', data: {held: ['e2fsprogs']}})
    expect(ok.data!.repositories.map((r) => r.id)).toEqual(['/etc/apt/sources.list:1'])
    const cut = sourcesProbe.interpret({sources: {ran: true, stdout: `${text}\n`, stderr: '', exitCode: 0, timedOut: false, durationMs: 1}}, {uid: 0, privileged: true, os: "Linux"})
    expect(cut.status).toBe('partial')
    expect(cut.data!.repositories).toHaveLength(1)
    expect(cut.data!.held).toBeUndefined()
  })

  it('rejects what is not its output; survives garbage', () => {
    expect(() => parseRepositories('deb http://a/ s main\n')).toThrow(ParseError)
    expect(() => parseHeld('e2fsprogs\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseRepositories, fixtures.map((f) => stdoutOf(f, 'sources')))
    assertParserSurvivesGarbage(parseHeld, fixtures.map((f) => stdoutOf(f, 'sources').replace(/^[^]*?(?=^#held )/m, '')))
  })
})

describe('sources command: apt-config only where apt.conf may change what is read', () => {
  /** The command run by a real sh in a private mount namespace where DIR is seen as /etc/apt/apt.conf.d (this machine's own is untouched). */
  function runWith(confD: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'hatang-aptconf-'))
    try {
      for (const [name, text] of Object.entries(confD)) writeFileSync(path.join(dir, name), text)
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /etc/apt/apt.conf.d && exec sh -c "$2"', 'sh', dir, sourcesProbe.commands.sources!], {encoding: 'utf8', env: {PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'}})
      expect(r.status, r.stderr).toBe(0)
      return r.stdout
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }

  it('comments and unrelated settings: apt defaults, no apt-config', () => {
    const out = runWith({'10x': '// Acquire::AllowInsecureRepositories "true";\n# Dir::Etc::sourcelist "x";\nAPT::Install-Recommends "false";\nDPkg::Post-Invoke { "appstreamcli refresh --source=os"; };\n'})
    expect(out.split('\n').slice(0, 2)).toEqual(['#manager apt', '#insecure false false'])
  })

  it('an insecure setting in apt.conf.d: apt-config is asked, and the sources are judged unchecked', () => {
    const out = runWith({'99insecure': 'Acquire::AllowInsecureRepositories "true";\n'})
    expect(out.split('\n')[1]).toBe('#insecure true false')
    const r = parseRepositories(out.slice(0, HELD.exec(out)!.index))
    expect(r.aptInsecure).toEqual({allowInsecureRepositories: true, allowUnauthenticated: false})
    expect(r.repositories.every((x) => !x.signatureChecked)).toBe(true)
  })
})
