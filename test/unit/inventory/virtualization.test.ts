import {describe, expect, it} from 'vitest'

import {decideVirtualization, parseDetectVirt, parseVirtEvidence, virtualizationProbe} from '../../../inventory/virtualization.js'
import {VirtualizationSchema} from '../../../src/model/sections/virtualization.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import type {CommandOutput} from '../../../inventory/kit/probe.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('virtualization')
const out = (stdout: string, exitCode = 0): CommandOutput => ({stdout, stderr: '', exitCode, timedOut: false, durationMs: 1, ran: true})

describe('virtualization probe on captured output', () => {
  it('has captures from several real systems', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2)
  })

  for (const f of fixtures) {
    it(`${f.platform}: agrees with systemd-detect-virt, or with the evidence files without it`, () => {
      const r = virtualizationProbe.interpret(f.outputs, contextOf(f))
      expect(r.status).toBe('ok')
      expect(problemsOf(VirtualizationSchema, r.data)).toEqual([])
      const evidence = stdoutOf(f, 'evidence')
      if (f.outputs.detect!.exitCode === 0) {
        const [vm, container] = stdoutOf(f, 'detect').trim().split('\n')
        expect(r.data!.role).toBe(vm === 'none' ? (/^!devkvm$/m.test(evidence) ? 'host' : 'none') : 'guest')
        expect(r.data!.hypervisor ?? r.data!.technology).toBe(vm)
        expect(r.data!.container).toBe(container)
        expect(r.data!.evidence[0]).toBe('systemd-detect-virt')
      } else {
        expect(f.outputs.detect!.exitCode).toBe(127)
        expect(r.data!.role).toBe(/^!hypervisor$/m.test(evidence) ? 'guest' : 'none')
        expect(r.data!.container).toBe(/^!dockerenv$/m.test(evidence) ? 'docker' : 'none')
      }
      expect(r.data!.kvmAvailable).toBe(/^!devkvm$/m.test(evidence))
    })
  }

  it('reads this machine as a Firecracker (KVM) guest inside a "docker" environment', () => {
    const f = loadFixture('debian-12-root', 'virtualization')
    expect(virtualizationProbe.interpret(f.outputs, contextOf(f)).data).toMatchObject({
      role: 'guest',
      technology: 'firecracker',
      hypervisor: 'kvm',
      container: 'docker',
    })
  })

  it('a QEMU virtual machine (Debian 12 under qemu; systemd-detect-virt run once, its plain answer a machine): a guest of qemu, no container', () => {
    const f = loadFixture('debian-12-vm-secureboot', 'virtualization')
    expect(stdoutOf(f, 'detect')).toBe('qemu\nnone\n')
    expect(virtualizationProbe.interpret(f.outputs, contextOf(f)).data).toMatchObject({role: 'guest', technology: 'qemu', container: 'none'})
  })

  it('Debian 11 chroot has no systemd-detect-virt: the cpuinfo flag and the kernel still tell', () => {
    const f = loadFixture('debian-11-chroot', 'virtualization')
    expect(f.outputs.detect!.exitCode).toBe(127)
    expect(virtualizationProbe.interpret(f.outputs, contextOf(f)).data).toMatchObject({role: 'guest', technology: 'firecracker', container: 'none'})
  })
})

describe('virtualization parsers', () => {
  it('names hypervisors systemd-style and maps its container names', () => {
    expect(decideVirtualization({vm: 'microsoft', container: 'none'}, undefined)).toMatchObject({role: 'guest', technology: 'hyperv', hypervisor: 'microsoft'})
    expect(decideVirtualization({vm: 'none', container: 'lxc-libvirt'}, undefined)).toMatchObject({role: 'none', container: 'lxc', containerDetail: 'lxc-libvirt'})
    expect(decideVirtualization({vm: 'none', container: 'rkt'}, undefined)).toMatchObject({container: 'other', containerDetail: 'rkt'})
  })

  it('without systemd-detect-virt: DMI vendor, podman, WSL and KVM hosts', () => {
    const e = parseVirtEvidence('/sys/class/dmi/id/sys_vendor:VMware, Inc.\n/sys/class/dmi/id/product_name:VMware Virtual Platform\n!hypervisor\n')
    expect(decideVirtualization(undefined, e)).toMatchObject({role: 'guest', technology: 'vmware', container: 'none'})
    expect(decideVirtualization(undefined, parseVirtEvidence('/proc/sys/kernel/osrelease:6.1.0\n!containerenv\n!devkvm\n'))).toMatchObject({
      role: 'host',
      technology: 'none',
      container: 'podman',
    })
    expect(decideVirtualization(undefined, parseVirtEvidence('/proc/sys/kernel/osrelease:5.15.153.1-microsoft-standard-WSL2\n!hypervisor\n'))).toMatchObject({
      role: 'guest',
      container: 'wsl',
    })
    const r = virtualizationProbe.interpret({detect: out('', 127), evidence: out('/proc/sys/kernel/osrelease:6.1.0\n!hypervisor\n')}, {uid: 0, privileged: true, os: 'Linux'})
    expect(r.status).toBe('partial')
    expect(r.reason).toMatch(/^not installed: systemd-detect-virt/)
  })

  it('rejects what systemd-detect-virt and the evidence command never print', () => {
    expect(() => parseDetectVirt('kvm\n')).toThrow(ParseError)
    expect(() => parseVirtEvidence('!bogus\n')).toThrow(ParseError)
  })

  const samples = (cmd: string) => fixtures.map((f) => f.outputs[cmd]?.stdout ?? '')
  it('parseDetectVirt survives garbage', () => assertParserSurvivesGarbage(parseDetectVirt, samples('detect')))
  it('parseVirtEvidence survives garbage', () => assertParserSurvivesGarbage(parseVirtEvidence, samples('evidence')))
  it('decideVirtualization(parseVirtEvidence) stays valid on garbage', () =>
    assertParserSurvivesGarbage((t) => decideVirtualization(undefined, parseVirtEvidence(t)), samples('evidence'), VirtualizationSchema))
  it('the whole probe survives garbage in every output', () =>
    assertParserSurvivesGarbage(
      (text) => {
        const f = fixtures[0]!
        const outputs = Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, {...v, stdout: text}]))
        return virtualizationProbe.interpret(outputs, contextOf(f)).data ?? {role: 'none', container: 'none', evidence: []}
      },
      [...samples('detect'), ...samples('evidence')],
      VirtualizationSchema,
    ))
})
