import {describe, expect, it} from 'vitest'

import {filesystemsProbe, mergeUsage, parseDfUsage, parseFindmnt} from '../../../inventory/filesystems.js'
import {FilesystemsSchema} from '../../../src/model/sections/filesystems.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {CommandOutput} from '../../../inventory/kit/probe.js'
import {unescapeHex} from '../../../inventory/kit/probe-helpers.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('filesystems')
const out = (stdout: string, exitCode = 0): CommandOutput => ({stdout, stderr: '', exitCode, timedOut: false, durationMs: 1, ran: true})

describe('filesystems probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: lists every mount findmnt printed, sized by df`, () => {
      const r = filesystemsProbe.interpret(f.outputs, contextOf(f))
      expect(['ok', 'partial']).toContain(r.status)
      expect(problemsOf(FilesystemsSchema, r.data)).toEqual([])
      const targets = stdoutOf(f, 'mounts')
        .split('\n')
        .filter(Boolean)
        .map((l) => unescapeHex(/^TARGET="((?:[^"\\]|\\.)*)"/.exec(l)![1]!))
      expect(r.data!.mounts.map((m) => m.target)).toEqual(targets)
      // every mount df measured carries df's numbers, in bytes (the last line for a point is the mount on top)
      const dfLines = stdoutOf(f, 'usage').split('\n').slice(1).filter((l) => /^\s*\d/.test(l))
      expect(dfLines.length).toBeGreaterThan(0)
      for (const line of dfLines) {
        const [itotal, iused, size, used, avail, target] = line.trim().split(/\s+/)
        const last = dfLines.filter((l) => l.trim().split(/\s+/)[5] === target).pop()
        if (last !== line) continue
        const m = r.data!.mounts.filter((x) => x.target === target).pop()!
        expect(m).toMatchObject({sizeBytes: Number(size), usedBytes: Number(used), availableBytes: Number(avail)})
        if (Number(itotal) > 0) expect(m).toMatchObject({inodesTotal: Number(itotal), inodesUsed: Number(iused)})
        else expect(m.inodesTotal).toBeUndefined()
      }
      expect(r.data!.mounts.find((m) => m.target === '/proc')).toMatchObject({fstype: 'proc', pseudo: true})
    })
  }

  it('the root filesystem of this VM is the ext4 on /dev/vda, measured', () => {
    const f = loadFixture('debian-12-root', 'filesystems')
    const root = filesystemsProbe.interpret(f.outputs, contextOf(f)).data!.mounts.filter((m) => m.target === '/').pop()!
    expect(root).toMatchObject({source: '/dev/vda', fstype: 'ext4', pseudo: false, network: false})
    expect(root.sizeBytes).toBeGreaterThan(root.usedBytes!)
  })

  it('a chroot sees only the mounts under it (its / is a directory, not a mount)', () => {
    for (const f of fixtures.filter((x) => x.platform.endsWith('-chroot'))) {
      const targets = filesystemsProbe.interpret(f.outputs, contextOf(f)).data!.mounts.map((m) => m.target)
      expect(targets).not.toContain('/')
      expect(targets).toContain('/proc')
    }
  })

  it('reads the same mounts as root and as a user', () => {
    const targets = (name: string) => {
      const f = loadFixture(name, 'filesystems')
      return filesystemsProbe.interpret(f.outputs, contextOf(f)).data!.mounts.map((m) => m.target)
    }
    expect(targets('debian-12-user')).toEqual(targets('debian-12-root'))
  })
})

describe('filesystems parsers', () => {
  it('decodes escaped mount points and marks read-only, network and pseudo filesystems', () => {
    const mounts = parseFindmnt(
      [
        'TARGET="/mnt/my\\x20disk" SOURCE="/dev/sdb1" FSTYPE="ext4" OPTIONS="ro,relatime"',
        'TARGET="/srv/nfs" SOURCE="fs1:/export" FSTYPE="nfs4" OPTIONS="rw,vers=4.2"',
        'TARGET="/run" SOURCE="tmpfs" FSTYPE="tmpfs" OPTIONS="rw,nosuid"',
      ].join('\n'),
    )
    expect(mounts.map((m) => [m.target, m.readOnly, m.network, m.pseudo])).toEqual([
      ['/mnt/my disk', true, false, false],
      ['/srv/nfs', false, true, false],
      ['/run', false, false, true],
    ])
    const r = filesystemsProbe.interpret(
      {
        mounts: out('TARGET="/srv/nfs" SOURCE="fs1:/export" FSTYPE="nfs4" OPTIONS="rw"\n'),
        usage: out('  Inodes  IUsed    1B-blocks        Used       Avail Mounted on\n'),
      },
      {uid: 0, privileged: true, os: 'Linux'},
    )
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^not measured: size of network filesystems \(\/srv\/nfs\)/)
  })

  it('reads mount points with spaces, treats "no inodes" as unknown, and falls back to POSIX df', () => {
    const gnu = parseDfUsage('  Inodes  IUsed    1B-blocks  Used  Avail Mounted on\n      0      0   1048576  4096 1044480 /mnt/my disk\n')
    expect(gnu.get('/mnt/my disk')).toEqual({sizeBytes: 1048576, usedBytes: 4096, availableBytes: 1044480})
    const posix = parseDfUsage('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 40 60 40% /\n')
    expect(posix.get('/')).toEqual({sizeBytes: 102400, usedBytes: 40960, availableBytes: 61440})
    expect(() => parseDfUsage('garbage\n')).toThrow(ParseError)
  })

  it('sizes only the mount on top of a stacked mount point', () => {
    const mounts = parseFindmnt('TARGET="/a" SOURCE="x" FSTYPE="ext4" OPTIONS="rw"\nTARGET="/a" SOURCE="y" FSTYPE="xfs" OPTIONS="rw"\n')
    const merged = mergeUsage(mounts, new Map([['/a', {sizeBytes: 10}]]))
    expect(merged.map((m) => m.sizeBytes)).toEqual([undefined, 10])
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseFindmnt survives garbage', () => assertParserSurvivesGarbage(parseFindmnt, samples('mounts')))
  it('parseDfUsage survives garbage', () => assertParserSurvivesGarbage(parseDfUsage, samples('usage')))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return filesystemsProbe.interpret(outputs, contextOf(f)).data ?? {mounts: []}
      },
      [...samples('mounts'), ...samples('usage')],
      FilesystemsSchema,
    ))
})
