import {describe, expect, it} from 'vitest'

import {kernelModulesProbe, modprobeConfig, modprobeOrder, parseKernelLists} from '../../../inventory/kernel-modules.js'
import {parseNumberedFiles} from '../../../inventory/kit/numbered-files.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {KernelModulesSchema} from '../../../src/model/sections/kernel-modules.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('kernelModules')
const numbered = (files: Record<string, string | null>) =>
  Object.entries(files)
    .map(([path, text]) => (text === null ? `!masked ${path}\n` : `!file ${path}\n${text.split('\n').map((l, i) => `${i + 1}:${l}`).join('\n')}\n`))
    .join('')

describe('kernel modules probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(2))

  for (const f of fixtures) {
    it(`${f.platform}: a valid section; the kernel's lists as /proc prints them`, () => {
      const r = kernelModulesProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(KernelModulesSchema, r.data)).toEqual([])
      const d = r.data!
      const proc = stdoutOf(f, 'proc')
      // this machine's kernel (shared by the chroots) loads no module: /proc/modules does not exist
      expect(d.loadable).toBe(proc.includes('!modules'))
      expect(d.filesystems).toContain('ext4')
      expect(d.protocols).toContain('TCP')
      // every modprobe.d file listed once per name, in name order
      const names = d.configFiles.map((p) => p.split('/').pop()!)
      expect(names).toEqual([...new Set(names)].sort())
    })
  }
})

describe('kernel modules of the virtual machine (scripts/capture-vm.sh): a Debian kernel that loads modules', () => {
  const read = (p: string) => {
    const f = probeFixtures('kernelModules').find((x) => x.platform === p)!
    return {f, r: kernelModulesProbe.interpret(f.outputs, contextOf(f))}
  }

  it('as booted: modules load (/proc/modules lists what lsmod would), usb-storage neither loaded nor named in modprobe.d', () => {
    const {f, r} = read('debian-12-vm-secureboot')
    expect(r.status).toBe('ok')
    const listed = stdoutOf(f, 'proc').split('!filesystems')[0]!.split('\n').slice(1).filter(Boolean)
    expect(r.data).toMatchObject({loadable: true, loaded: listed})
    // the virtio drivers, ext4 and device-mapper of a Debian kernel, as modules
    expect(r.data!.loaded).toEqual(expect.arrayContaining(['virtio_blk', 'virtio_net', 'ext4', 'dm_mod', 'efivarfs']))
    expect(r.data!.loaded).not.toContain('usb_storage')
    expect(r.data!.config.usb_storage).toBeUndefined()
  })

  it('with /etc/modprobe.d/60-hatang.conf: the install line and the blacklist line of usb-storage, where they are', () => {
    const {r} = read('debian-12-vm-usb-blocked')
    expect(r.status).toBe('ok')
    expect(r.data!.configFiles).toContain('/etc/modprobe.d/60-hatang.conf')
    expect(r.data!.config.usb_storage).toEqual({install: {command: '/bin/false', file: '/etc/modprobe.d/60-hatang.conf', line: 1}, blacklist: {file: '/etc/modprobe.d/60-hatang.conf', line: 2}})
  })
})

describe('modprobe.d rules', () => {
  it('an earlier folder masks the same name later; the first install and the first blacklist count; - and _ alike', () => {
    const files = modprobeOrder(
      parseNumberedFiles(
        numbered({
          '/etc/modprobe.d/cis.conf': 'install cramfs /bin/false\nblacklist cramfs\ninstall usb-storage /bin/true',
          '/etc/modprobe.d/zz.conf': 'install cramfs /sbin/modprobe --ignore-install cramfs',
          '/usr/lib/modprobe.d/cis.conf': 'blacklist sctp',
          '/usr/lib/modprobe.d/a.conf': '# blacklist hfs\nblacklist  hfsplus\noptions hfs x=1',
          '/run/modprobe.d/zz.conf': null,
        }),
      ),
    )
    expect(files.map((f) => f.path)).toEqual(['/usr/lib/modprobe.d/a.conf', '/etc/modprobe.d/cis.conf', '/etc/modprobe.d/zz.conf'])
    expect(modprobeConfig(files)).toEqual({
      cramfs: {install: {command: '/bin/false', file: '/etc/modprobe.d/cis.conf', line: 1}, blacklist: {file: '/etc/modprobe.d/cis.conf', line: 2}},
      hfsplus: {blacklist: {file: '/usr/lib/modprobe.d/a.conf', line: 2}},
      // usb-storage is read too (module.usb-storage), its name as the kernel spells it; /bin/true is judged by the check
      usb_storage: {install: {command: '/bin/true', file: '/etc/modprobe.d/cis.conf', line: 3}},
    })
  })

  it('reads loaded modules where the kernel loads them; rejects what is not its output; survives garbage', () => {
    expect(parseKernelLists('!modules\nsctp\nusb_storage\n!filesystems\next4\n!protocols\nTCP\n')).toEqual({loadable: true, loaded: ['sctp', 'usb_storage'], filesystems: ['ext4'], protocols: ['TCP']})
    expect(() => parseKernelLists('sctp 1 0\n')).toThrow(ParseError)
    assertParserSurvivesGarbage(parseKernelLists, fixtures.map((f) => stdoutOf(f, 'proc')))
  })
})
