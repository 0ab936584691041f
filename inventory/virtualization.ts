import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {lines, needs, succeeded} from './kit/probe-helpers.js'
import {virtualizationSection, type Container, type VirtualizationData} from '../src/model/sections/virtualization.js'

const SYSTEMD_VM: Record<string, string> = {microsoft: 'hyperv', oracle: 'virtualbox'}
const SYSTEMD_CONTAINER: Record<string, Container> = {
  docker: 'docker',
  podman: 'podman',
  lxc: 'lxc',
  'lxc-libvirt': 'lxc',
  'systemd-nspawn': 'systemd-nspawn',
  wsl: 'wsl',
  openvz: 'openvz',
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/

/** systemd-detect-virt's machine and container ids (`systemd-detect-virt --list`, systemd 247 to 257). */
const SYSTEMD_VM_IDS = ['kvm', 'amazon', 'qemu', 'bochs', 'xen', 'uml', 'vmware', 'oracle', 'microsoft', 'zvm', 'parallels', 'bhyve', 'qnx', 'acrn', 'powervm', 'apple', 'sre', 'google', 'vm-other']
const SYSTEMD_CONTAINER_IDS = ['systemd-nspawn', 'lxc-libvirt', 'lxc', 'openvz', 'docker', 'podman', 'rkt', 'wsl', 'proot', 'pouch', 'container-other']

/**
 * What `systemd-detect-virt --vm; systemd-detect-virt --container` print, with one run where one tells both: without
 * an option it names the container when there is one, else the machine (so a machine's id, or none, says there is no
 * container); a container's id still needs --vm for the machine under it; an id not known here, both runs.
 */
const DETECT_COMMAND = [
  '_v=$(systemd-detect-virt 2>/dev/null)',
  'case $_v in',
  "  none) printf 'none\\nnone\\n' ;;",
  `  ${SYSTEMD_VM_IDS.join('|')}) printf '%s\\nnone\\n' "$_v" ;;`,
  `  ${SYSTEMD_CONTAINER_IDS.join('|')}) systemd-detect-virt --vm; printf '%s\\n' "$_v" ;;`,
  '  *) systemd-detect-virt --vm; systemd-detect-virt --container ;;',
  'esac',
  'exit 0',
].join('\n')

/** Parses `systemd-detect-virt --vm; systemd-detect-virt --container`: two names, "none" when there is none. */
export function parseDetectVirt(text: string): {vm: string; container: string} {
  const [vm, container] = lines(text).map((l) => l.trim())
  if (!vm || !container || !NAME.test(vm) || !NAME.test(container)) throw new ParseError('expected two systemd-detect-virt names')
  return {vm, container}
}

export interface VirtEvidence {
  hypervisorFlag: boolean
  osRelease?: string
  sysVendor?: string
  productName?: string
  xenType?: string
  xenControlDomain: boolean
  systemdContainer?: string
  dockerenv: boolean
  containerenv: boolean
  devKvm: boolean
  noDmi: boolean
  firecrackerCmdline: boolean
  cgroup: string[]
}

/** Parses the `evidence` command: `PATH:VALUE` lines (grep -H) and `!marker` lines. */
export function parseVirtEvidence(text: string): VirtEvidence {
  const e: VirtEvidence = {
    hypervisorFlag: false,
    xenControlDomain: false,
    dockerenv: false,
    containerenv: false,
    devKvm: false,
    noDmi: false,
    firecrackerCmdline: false,
    cgroup: [],
  }
  let known = 0
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    if (line.startsWith('!')) {
      known++
      switch (line.trim()) {
        case '!hypervisor':
          e.hypervisorFlag = true
          break
        case '!dockerenv':
          e.dockerenv = true
          break
        case '!containerenv':
          e.containerenv = true
          break
        case '!devkvm':
          e.devKvm = true
          break
        case '!nodmi':
          e.noDmi = true
          break
        case '!fccmdline':
          e.firecrackerCmdline = true
          break
        default:
          throw new ParseError(`unknown marker ${line.trim().slice(0, 40)}`, i + 1)
      }
      continue
    }
    const m = /^(\/[a-z0-9_./-]+):(.*)$/.exec(line)
    if (!m) throw new ParseError('expected PATH:VALUE or !marker', i + 1)
    known++
    const value = m[2]!.trim()
    switch (m[1]) {
      case '/proc/sys/kernel/osrelease':
        if (value) e.osRelease = value
        break
      case '/sys/class/dmi/id/sys_vendor':
        if (value) e.sysVendor = value
        break
      case '/sys/class/dmi/id/product_name':
        if (value) e.productName = value
        break
      case '/sys/hypervisor/type':
        if (value) e.xenType = value
        break
      case '/proc/xen/capabilities':
        if (/control_d/.test(value)) e.xenControlDomain = true
        break
      case '/run/systemd/container':
        if (value) e.systemdContainer = value
        break
      case '/proc/1/cgroup':
        e.cgroup.push(value)
        break
      default:
        break
    }
  }
  if (known === 0) throw new ParseError('no evidence lines')
  return e
}

/** The hypervisor named by the DMI vendor / product, as systemd-detect-virt would name it. */
function vmFromDmi(vendor: string | undefined, product: string | undefined): string | undefined {
  const s = `${vendor ?? ''} ${product ?? ''}`
  if (/QEMU/i.test(s)) return 'qemu'
  if (/KVM/i.test(s)) return 'kvm'
  if (/VMware/i.test(s)) return 'vmware'
  if (/innotek|VirtualBox/i.test(s)) return 'oracle'
  if (/Microsoft Corporation/i.test(vendor ?? '') && /Virtual Machine/i.test(product ?? '')) return 'microsoft'
  if (/^Xen/i.test(vendor ?? '')) return 'xen'
  if (/Amazon EC2/i.test(s)) return 'amazon'
  if (/Google/i.test(vendor ?? '') && /Google Compute Engine/i.test(product ?? '')) return 'google'
  if (/Parallels/i.test(s)) return 'parallels'
  if (/BHYVE/i.test(s)) return 'bhyve'
  return undefined
}

function containerFromEvidence(e: VirtEvidence): {container: Container; detail?: string; source?: string} {
  if (e.systemdContainer) {
    const c = SYSTEMD_CONTAINER[e.systemdContainer]
    return {container: c ?? 'other', ...(c && c === e.systemdContainer ? {} : {detail: e.systemdContainer}), source: '/run/systemd/container'}
  }
  if (e.containerenv) return {container: 'podman', source: '/run/.containerenv'}
  if (e.dockerenv) return {container: 'docker', source: '/.dockerenv'}
  const cg = e.cgroup.join('\n')
  if (/kubepods/.test(cg)) return {container: 'kubernetes', source: '/proc/1/cgroup'}
  if (/\/docker[/-]/.test(cg)) return {container: 'docker', source: '/proc/1/cgroup'}
  if (/\/libpod-|\/machine\.slice\/libpod/.test(cg)) return {container: 'podman', source: '/proc/1/cgroup'}
  if (/\/lxc[/.]|lxc\.payload/.test(cg)) return {container: 'lxc', source: '/proc/1/cgroup'}
  if (/microsoft|WSL/i.test(e.osRelease ?? '')) return {container: 'wsl', source: '/proc/sys/kernel/osrelease'}
  return {container: 'none'}
}

/** The kernel release or command line names Firecracker (its guest kernels are built as *-fc-*; its init says so). */
function isFirecrackerKernel(e: VirtEvidence): boolean {
  return e.firecrackerCmdline || /(-fc-|firecracker)/i.test(e.osRelease ?? '')
}

/** Decides role, technology and container from systemd-detect-virt (when there) and the evidence. */
export function decideVirtualization(detect: {vm: string; container: string} | undefined, e: VirtEvidence | undefined): VirtualizationData {
  const evidence: string[] = []
  let vm: string | undefined
  if (detect) {
    evidence.push('systemd-detect-virt')
    vm = detect.vm
  } else if (e) {
    if (e.xenType === 'xen') {
      vm = e.xenControlDomain ? 'none' : 'xen'
      evidence.push('/sys/hypervisor/type')
    } else {
      const fromDmi = vmFromDmi(e.sysVendor, e.productName)
      if (fromDmi) {
        vm = fromDmi
        evidence.push('/sys/class/dmi/id')
      } else if (e.hypervisorFlag && e.noDmi && isFirecrackerKernel(e)) {
        vm = 'kvm'
        evidence.push('cpuinfo hypervisor flag')
      } else if (e.hypervisorFlag) {
        evidence.push('cpuinfo hypervisor flag')
      } else if (e.cgroup.length > 0 || e.osRelease) {
        vm = 'none'
        evidence.push('cpuinfo (no hypervisor flag)')
      }
    }
  }
  const guest = (vm !== undefined && vm !== 'none') || (vm === undefined && e?.hypervisorFlag === true)
  const data: VirtualizationData = {role: 'none', container: 'none', evidence}
  if (guest) {
    data.role = 'guest'
    if (vm !== undefined) {
      let technology = SYSTEMD_VM[vm] ?? vm
      // Firecracker presents itself as KVM and gives the guest no SMBIOS tables; its kernels and init say its name
      if (vm === 'kvm' && e?.noDmi && isFirecrackerKernel(e)) {
        technology = 'firecracker'
        evidence.push('no DMI + firecracker kernel')
      }
      data.technology = technology
      if (technology !== vm) data.hypervisor = vm
    }
  } else if (vm !== undefined || e) {
    if (e?.devKvm || e?.xenControlDomain) data.role = 'host'
    if (vm !== undefined) data.technology = 'none'
  }
  if (e) data.kvmAvailable = e.devKvm
  if (detect && detect.container !== 'none') {
    const c = SYSTEMD_CONTAINER[detect.container]
    data.container = c ?? 'other'
    if (!c || c !== detect.container) data.containerDetail = detect.container
  } else if (!detect && e) {
    const c = containerFromEvidence(e)
    data.container = c.container
    if (c.detail) data.containerDetail = c.detail
    if (c.source) evidence.push(c.source)
  }
  return data
}

const EVIDENCE_FILES = [
  '/proc/sys/kernel/osrelease',
  '/sys/class/dmi/id/sys_vendor',
  '/sys/class/dmi/id/product_name',
  '/sys/hypervisor/type',
  '/proc/xen/capabilities',
  '/run/systemd/container',
  '/proc/1/cgroup',
]

export const virtualizationProbe = defineProbe({
  section: virtualizationSection,
  platforms: ['Linux'],
  weight: 4,
  commands: {
    // --vm exits 1 when it prints "none"; both lines are wanted either way
    detect: needs('systemd-detect-virt', DETECT_COMMAND),
    evidence: [
      `grep -s -H '' ${EVIDENCE_FILES.join(' ')}`,
      "grep -q -m1 -w hypervisor /proc/cpuinfo 2>/dev/null && echo '!hypervisor'",
      "[ -e /.dockerenv ] && echo '!dockerenv'",
      "[ -e /run/.containerenv ] && echo '!containerenv'",
      "[ -e /dev/kvm ] && echo '!devkvm'",
      "[ -d /sys/class/dmi/id ] || echo '!nodmi'",
      "grep -q firecracker /proc/cmdline 2>/dev/null && echo '!fccmdline'",
      'exit 0',
    ].join('; '),
  },
  interpret(out) {
    let detect: ReturnType<typeof parseDetectVirt> | undefined
    if (succeeded(out.detect)) detect = parseDetectVirt(out.detect.stdout)
    let evidence: VirtEvidence | undefined
    if (succeeded(out.evidence) && out.evidence.stdout.trim() !== '') evidence = parseVirtEvidence(out.evidence.stdout)
    if (!detect && !evidence) {
      return {status: 'error', reason: 'neither systemd-detect-virt nor the evidence files could be read'}
    }
    const data = decideVirtualization(detect, evidence)
    if (data.role === 'guest' && data.technology === undefined) {
      const why = out.detect?.exitCode === 127 ? 'not installed: systemd-detect-virt, and no DMI names the hypervisor' : 'not reported'
      return {status: 'partial', reason: `${why}: hypervisor technology`, data}
    }
    return {status: 'ok', data}
  },
})
