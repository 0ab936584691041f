import {describe, expect, it} from 'vitest'

import {filesystemsProbe} from '../../../inventory/filesystems.js'
import {parsePersistedMounts} from '../../../inventory/fstab.js'
import {FilesystemsSchema} from '../../../src/model/sections/filesystems.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('filesystems')
const numbered = (files: Record<string, string | null>) =>
  Object.entries(files)
    .map(([path, text]) => (text === null ? `!masked ${path}\n` : `!file ${path}\n${text.split('\n').map((l, i) => `${i + 1}:${l}`).join('\n')}\n`))
    .join('')

describe('what the boot mounts, on captured output', () => {
  for (const f of fixtures) {
    it(`${f.platform}: fstab entries (one per line that is not a comment) and tmp.mount where installed`, () => {
      const d = filesystemsProbe.interpret(f.outputs, contextOf(f)).data!
      expect(problemsOf(FilesystemsSchema, d)).toEqual([])
      const text = stdoutOf(f, 'persisted')
      const fstabLines = text.split('!file ').find((b) => b.startsWith('/etc/fstab\n'))!.split('\n').slice(1).filter((l) => /^\d+:\s*[^#\s]/.test(l))
      expect(d.fstab).toHaveLength(fstabLines.length)
      expect(d.tmpMount !== undefined).toBe(/^!file \/(usr\/)?lib\/systemd\/system\/tmp\.mount$/m.test(text) || /^!file \/etc\/systemd\/system\/tmp\.mount$/m.test(text))
    })
  }

  it('Debian 13 ships tmp.mount: /tmp as a tmpfs with nosuid and nodev, not noexec', () => {
    const f = loadFixture('debian-13-chroot', 'filesystems')
    const tmp = filesystemsProbe.interpret(f.outputs, contextOf(f)).data!.tmpMount!
    expect(tmp.file).toBe('/usr/lib/systemd/system/tmp.mount')
    expect(tmp.options).toEqual(expect.arrayContaining(['nosuid', 'nodev']))
    expect(tmp.options).not.toContain('noexec')
  })
})

describe('fstab and tmp.mount rules', () => {
  it('reads fields with octal escapes, trailing slashes and default options; the drop-ins of tmp.mount override its Options=', () => {
    const p = parsePersistedMounts(
      numbered({
        '/etc/fstab': '# comment\nUUID=1 / ext4 errors=remount-ro 0 1\ntmpfs /dev/shm/ tmpfs nodev,nosuid,noexec 0 0\n/dev/sdb1 /srv/my\\040data xfs\n',
        '/usr/lib/systemd/system/tmp.mount': '[Unit]\nOptions=ignored\n[Mount]\nWhat=tmpfs\nOptions=mode=1777,nosuid,nodev',
        '/etc/systemd/system/tmp.mount.d/50-noexec.conf': '[Mount]\nOptions=mode=1777,nosuid,nodev,noexec',
      }),
    )
    expect(p.fstab).toEqual([
      {source: 'UUID=1', target: '/', fstype: 'ext4', options: ['errors=remount-ro'], line: 2},
      {source: 'tmpfs', target: '/dev/shm', fstype: 'tmpfs', options: ['nodev', 'nosuid', 'noexec'], line: 3},
      {source: '/dev/sdb1', target: '/srv/my data', fstype: 'xfs', options: ['defaults'], line: 4},
    ])
    expect(p.tmpMount).toEqual({file: '/etc/systemd/system/tmp.mount.d/50-noexec.conf', line: 2, options: ['mode=1777', 'nosuid', 'nodev', 'noexec']})
  })

  it('a masked tmp.mount mounts nothing; an unreadable fstab is said', () => {
    expect(parsePersistedMounts(numbered({'/etc/systemd/system/tmp.mount': null, '/usr/lib/systemd/system/tmp.mount': '[Mount]\nOptions=nosuid'})).tmpMount).toBeUndefined()
    expect(parsePersistedMounts('!denied /etc/fstab\n')).toEqual({fstab: [], persistedUnreadable: ['/etc/fstab']})
  })

  it('survives garbage', () => assertParserSurvivesGarbage(parsePersistedMounts, fixtures.map((f) => stdoutOf(f, 'persisted'))))
})
