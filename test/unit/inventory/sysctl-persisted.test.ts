import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../inventory/kit/parse-error.js'
import {bootOrder, normaliseKey, parsePersistedFiles, persistedValues} from '../../../inventory/sysctl-persisted.js'
import {sysctlProbe} from '../../../inventory/sysctl.js'
import {SYSCTL_KEYS} from '../../../src/model/sections/sysctl.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('sysctl')
const KEYS = ['kernel.randomize_va_space', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter', 'fs.suid_dumpable']

describe('persisted kernel parameters on captured output', () => {
  for (const f of fixtures) {
    it(`${f.platform}: every file the capture listed is read in boot order, each value found in its file at its line`, () => {
      const d = sysctlProbe.interpret(f.outputs, contextOf(f)).data!
      expect(d.persisted).toBeDefined()
      const listed = stdoutOf(f, 'persisted').split('\n').filter((l) => l.startsWith('!file ')).map((l) => l.slice(6))
      // one file per name, /etc/sysctl.conf last when it exists
      expect(new Set(d.persistedFiles!.filter((p) => p !== '/etc/sysctl.conf').map((p) => p.split('/').pop())).size).toBe(d.persistedFiles!.filter((p) => p !== '/etc/sysctl.conf').length)
      if (listed.includes('/etc/sysctl.conf')) expect(d.persistedFiles!.at(-1)).toBe('/etc/sysctl.conf')
      for (const [key, {value, file, line}] of Object.entries(d.persisted!)) {
        expect(SYSCTL_KEYS).toContain(key)
        expect(d.persistedFiles).toContain(file)
        // independent reading: the captured line of that file sets that key to that value
        const block = stdoutOf(f, 'persisted').split(`!file ${file}\n`)[1]!
        const text = block.split('\n').find((l) => l.startsWith(`${line}:`))!
        expect(text.replace(/^\d+:/, '').replace(/\s+/g, '')).toBe(`${key}=${value}`.replace(/\s+/g, ''))
      }
    })
  }

  it('Debian 12 (this machine): the protected-links file of /usr/lib/sysctl.d, masked copy in /lib not read twice', () => {
    const f = loadFixture('debian-12-root', 'sysctl')
    const d = sysctlProbe.interpret(f.outputs, contextOf(f)).data!
    expect(d.persisted!['fs.protected_symlinks']).toMatchObject({value: '1', file: '/usr/lib/sysctl.d/99-protect-links.conf'})
    expect(d.persistedFiles!.filter((p) => p.endsWith('/99-protect-links.conf'))).toHaveLength(1)
  })
})

describe('sysctl.d rules', () => {
  const capture = (files: Record<string, string | null>) =>
    Object.entries(files)
      .map(([path, text]) => (text === null ? `!masked ${path}\n` : `!file ${path}\n${text.split('\n').map((l, i) => `${i + 1}:${l}`).join('\n')}\n`))
      .join('')

  it('an earlier folder masks the same name later, /dev/null masks entirely, names sorted across folders, /etc/sysctl.conf last', () => {
    const files = bootOrder(
      parsePersistedFiles(
        capture({
          '/etc/sysctl.d/10-a.conf': 'kernel.randomize_va_space = 1',
          '/etc/sysctl.d/50-masked.conf': null,
          '/run/sysctl.d/20-b.conf': 'kernel.randomize_va_space = 0',
          '/usr/lib/sysctl.d/10-a.conf': 'kernel.randomize_va_space = 9',
          '/usr/lib/sysctl.d/50-masked.conf': 'fs.suid_dumpable = 2',
          '/usr/lib/sysctl.d/90-z.conf': 'net.ipv4.conf.*.rp_filter = 2',
          '/etc/sysctl.conf': '# comment\n;other\n-net/ipv4/conf/all/rp_filter=1',
        }),
      ),
    )
    expect(files.map((f) => f.path)).toEqual(['/etc/sysctl.d/10-a.conf', '/run/sysctl.d/20-b.conf', '/usr/lib/sysctl.d/90-z.conf', '/etc/sysctl.conf'])
    expect(persistedValues(files, KEYS)).toEqual({
      'kernel.randomize_va_space': {value: '0', file: '/run/sysctl.d/20-b.conf', line: 1},
      'net.ipv4.conf.all.rp_filter': {value: '1', file: '/etc/sysctl.conf', line: 3},
      'net.ipv4.conf.default.rp_filter': {value: '2', file: '/usr/lib/sysctl.d/90-z.conf', line: 1},
    })
  })

  it('keys written with slashes swap / and .; values keep their fields, whitespace normalised; exclusions set nothing', () => {
    expect(normaliseKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter')
    expect(normaliseKey('net.ipv4.conf.all.rp_filter')).toBe('net.ipv4.conf.all.rp_filter')
    const files = parsePersistedFiles(capture({'/etc/sysctl.d/a.conf': 'kernel.core_pattern =  |/bin/x   %p\t%u \n!net.ipv4.conf.default.rp_filter = 0'}))
    expect(persistedValues(files, ['kernel.core_pattern', 'net.ipv4.conf.default.rp_filter'])).toEqual({'kernel.core_pattern': {value: '|/bin/x %p %u', file: '/etc/sysctl.d/a.conf', line: 1}})
  })

  it('an unreadable file is listed as such (the probe then says persisted values are unsure)', () => {
    const files = parsePersistedFiles('!denied /etc/sysctl.d/secret.conf\n')
    expect(bootOrder(files)).toEqual([{path: '/etc/sysctl.d/secret.conf', denied: true}])
    const f = loadFixture('debian-12-root', 'sysctl')
    const outputs = {...f.outputs, persisted: {...f.outputs.persisted!, stdout: `${f.outputs.persisted!.stdout}!denied /etc/sysctl.d/secret.conf\n`}}
    const r = sysctlProbe.interpret(outputs, contextOf(f))
    expect(r.status).toBe('partial')
    expect(r.reason).toContain('cannot read /etc/sysctl.d/secret.conf')
    expect(r.data!.persistedUnreadable).toEqual(['/etc/sysctl.d/secret.conf'])
  })

  it('rejects what is not its output, and survives garbage', () => {
    expect(() => parsePersistedFiles('kernel.x = 1\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parsePersistedFiles, fixtures.map((f) => stdoutOf(f, 'persisted')))
  })
})
