import {partsCommand, splitParts} from './kit/command-parts.js'
import {defineProbe} from './kit/probe.js'
import {deniedByPermissions, failure, notInstalled, succeeded, NO_SUCH_FILE} from './kit/probe-helpers.js'
import {LVM_FIELDS, parseLvmReports, parseMultipath} from './storage-lvm.js'
import {parseMdstat} from './storage-mdstat.js'
import {parseSmartOutput} from './storage-smart.js'
import {SMART_MAX_DISKS, storageSection, type StorageData} from '../src/model/sections/storage.js'

const ROOT_ONLY = '[ "$(id -u)" = 0 ] || return 4'
const report = (cmd: keyof typeof LVM_FIELDS, max: number) =>
  `echo '!${cmd}'; ${cmd} --noheadings --nosuffix --units b --separator '|' -o ${LVM_FIELDS[cmd]} 2>/dev/null | head -n ${max}`

/** The parts of the storage command (kit/command-parts.ts): each keeps its own bounds and not-installed/needs-root answer. */
export const STORAGE_PARTS = {
  /** The md driver's own table: absent (exit 3) when the driver is not loaded, hence no array. */
  mdstat: '[ -e /proc/mdstat ] || return 3; head -c 262144 /proc/mdstat',
  lvm: ['command -v vgs >/dev/null 2>&1 || return 127', ROOT_ONLY, report('vgs', 500), report('pvs', 2000), report('lvs', 2000)].join('\n'),
  multipath: ['command -v multipath >/dev/null 2>&1 || return 127', ROOT_ONLY, 'multipath -ll 2>/dev/null | head -c 262144'].join('\n'),
  /** Whole disks that can carry SMART (at most SMART_MAX_DISKS), then each one's health unless smartctl is absent or this is no root. */
  smart: [
    'list=; n=0',
    'for d in /sys/block/*; do',
    '  b=${d##*/}',
    '  case $b in loop*|ram*|zram*|dm-*|md*|sr*|nbd*|vd*|xvd*|fd*|\\*) continue;; esac',
    '  [ -e "$d/device" ] || continue',
    `  n=$((n + 1)); [ "$n" -le ${SMART_MAX_DISKS} ] || break`,
    '  echo "!candidate /dev/$b"; list="$list /dev/$b"',
    'done',
    "command -v smartctl >/dev/null 2>&1 || { echo '!not-installed'; return 0; }",
    `[ "$(id -u)" = 0 ] || { echo '!needs-root'; return 0; }`,
    "t=; command -v timeout >/dev/null 2>&1 && t='timeout 20'",
    'for dev in $list; do echo "!disk $dev"; $t smartctl --json -i -H -A -n standby "$dev" 2>/dev/null | head -c 262144; echo; done',
    'return 0',
  ].join('\n'),
} as const

export const storageProbe = defineProbe({
  section: storageSection,
  platforms: ['Linux'],
  commands: {storage: partsCommand(STORAGE_PARTS)},
  timeoutMs: 60_000,
  interpret(outputs) {
    const out = splitParts(outputs.storage, ['mdstat', 'lvm', 'multipath', 'smart'])
    const reasons: string[] = []
    const mdFail = out.mdstat?.exitCode === NO_SUCH_FILE ? undefined : failure(out.mdstat, '/proc/mdstat')
    if (mdFail) return mdFail
    const md = {present: succeeded(out.mdstat), arrays: succeeded(out.mdstat) ? parseMdstat(out.mdstat.stdout) : []}

    const lvm: StorageData['lvm'] = {installed: !notInstalled(out.lvm)}
    if (succeeded(out.lvm)) Object.assign(lvm, parseLvmReports(out.lvm.stdout))
    else if (lvm.installed) {
      if (deniedByPermissions(out.lvm)) lvm.needsRoot = true
      reasons.push(failure(out.lvm, 'LVM')?.reason ?? 'LVM')
    }

    const multipath: StorageData['multipath'] = {installed: !notInstalled(out.multipath)}
    if (succeeded(out.multipath)) multipath.maps = parseMultipath(out.multipath.stdout)
    else if (multipath.installed) {
      if (deniedByPermissions(out.multipath)) multipath.needsRoot = true
      reasons.push(failure(out.multipath, 'multipath')?.reason ?? 'multipath')
    }

    const smartFail = failure(out.smart, 'SMART')
    const s = parseSmartOutput(out.smart?.stdout ?? '')
    const smart: StorageData['smart'] = {installed: s.installed, candidates: s.candidates}
    if (smartFail) reasons.push(smartFail.reason ?? 'SMART')
    else if (s.installed && s.needsRoot) {
      smart.needsRoot = true
      if (s.candidates.length > 0) reasons.push('SMART: needs root')
    } else if (s.installed) {
      smart.disks = s.disks
      const silent = s.disks.filter((d) => d.passed === undefined).map((d) => d.name)
      if (silent.length > 0) reasons.push(`SMART: no health verdict from ${silent.join(', ')}`)
    }

    const data: StorageData = {md, lvm, multipath, smart}
    return reasons.length > 0 ? {status: 'partial', reason: reasons.join('; '), data} : {status: 'ok', data}
  },
})
