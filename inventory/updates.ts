import {type Static} from '@sinclair/typebox'

import {ParseError} from '../src/collect/parse-error.js'
import {defineProbe, type CommandOutput, type ProbeResult} from '../src/collect/probe.js'
import {failure, isoFromEpochSeconds, lines, notInstalled, succeeded, toInt} from '../src/collect/probe-helpers.js'
import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../src/model/schema-helpers.js'

/** A package cache older than this makes "0 pending" meaningless. */
export const STALE_CACHE_SECONDS = 7 * 24 * 3600

export const UPDATE_MANAGERS = ['apt', 'dnf', 'yum'] as const
export const AUTO_UPDATE_MECHANISMS = ['unattended-upgrades', 'dnf-automatic', 'yum-cron', 'none'] as const

export const PendingUpdateSchema = Obj({
  name: Str({minLength: 1}),
  architecture: Opt(Str({minLength: 1})),
  /** Installed version (apt says it; dnf check-update does not). */
  current: Opt(Str({minLength: 1})),
  candidate: Str({minLength: 1}),
  /** apt: an archive of the candidate is a security suite (bookworm-security, jammy-security); dnf: a security advisory names it. */
  security: Bool(),
  /** apt: the archives (suites) that carry the candidate; dnf/yum: the repository. */
  origins: Arr(Str({minLength: 1})),
})
export type PendingUpdate = Static<typeof PendingUpdateSchema>

export const RebootSchema = Obj({
  /** True when any signal says so; false only when a signal can say no; absent when nothing can tell. */
  required: Opt(Bool()),
  /** Why: `/run/reboot-required exists`, `kernel 6.1.0-26-amd64 installed, 6.1.0-25-amd64 running`, `needs-restarting -r`… */
  reasons: Arr(Str({minLength: 1})),
  /** Packages named in /run/reboot-required.pkgs. */
  packages: Arr(Str({minLength: 1})),
  runningKernel: Str({minLength: 1}),
  /** Kernel releases installed (/boot/vmlinuz-*, else /lib/modules/*), oldest first. Empty in most containers. */
  installedKernels: Arr(Str({minLength: 1})),
  newestKernel: Opt(Str({minLength: 1})),
})

export const AutomaticUpdatesSchema = Obj({
  mechanism: StringEnum(AUTO_UPDATE_MECHANISMS),
  /** Installed and switched on (config and timer); absent when it cannot be told. */
  enabled: Opt(Bool()),
  /** The systemd unit that triggers it and its `systemctl is-enabled` state, when systemd is there. */
  unit: Opt(Str({minLength: 1})),
  unitState: Opt(Str({minLength: 1})),
  /** apt: APT::Periodic::Unattended-Upgrade and Update-Package-Lists as apt-config resolves them (days, "0" = off). */
  unattendedUpgrade: Opt(Str()),
  updatePackageLists: Opt(Str()),
  /** dnf-automatic: apply_updates of /etc/dnf/automatic.conf (false = download or notify only). */
  applyUpdates: Opt(Bool()),
})

export const UpdatesSchema = Obj({
  manager: StringEnum(UPDATE_MANAGERS),
  /** Number of packages with a newer candidate in the local cache; absent when the cache cannot say. */
  pending: Opt(NonNegInt()),
  security: Opt(NonNegInt()),
  packages: Opt(Arr(PendingUpdateSchema)),
  /** When the local package cache was last refreshed (apt: /var/lib/apt/lists; dnf: the oldest repomd.xml). */
  cacheUpdatedAt: Opt(Str({format: 'date-time'})),
  cacheAgeSeconds: Opt(NonNegInt()),
  /** Older than 7 days, or never refreshed: pending counts are then not to be trusted. */
  cacheStale: Bool(),
  reboot: RebootSchema,
  automaticUpdates: AutomaticUpdatesSchema,
})
export type UpdatesData = Static<typeof UpdatesSchema>
export type RebootData = Static<typeof RebootSchema>
export type AutomaticUpdatesData = Static<typeof AutomaticUpdatesSchema>

// ---------------------------------------------------------------------------------------------------------------
// pending: apt list --upgradable (the cheapest source of the answer), else dnf/yum check-update from the cache

const PENDING = [
  'if command -v apt >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then echo "#manager apt"; exec apt list --upgradable',
  'elif command -v dnf >/dev/null 2>&1; then echo "#manager dnf"; dnf -C -q check-update',
  'elif command -v yum >/dev/null 2>&1; then echo "#manager yum"; yum -C -q check-update',
  'else exit 127; fi',
  // check-update exits 100 when there are updates
  '_rc=$?; [ "$_rc" -eq 100 ] && exit 0; exit "$_rc"',
].join('\n')

const SECURITY = [
  'if command -v apt >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then exit 127',
  'elif command -v dnf >/dev/null 2>&1; then exec dnf -C -q updateinfo list --security',
  'elif command -v yum >/dev/null 2>&1; then exec yum -C -q updateinfo list security',
  'else exit 127; fi',
].join('\n')

const UNITS = ['apt-daily-upgrade.timer', 'dnf-automatic.timer', 'dnf-automatic-install.timer', 'dnf5-automatic.timer', 'yum-cron.service']

/** Everything else, from files and cheap tools only: one `key value` line each. */
const STATE = [
  'echo "now $(date +%s)"',
  "sed -n 's/^btime /boot /p' /proc/stat 2>/dev/null",
  'echo "kernel $(uname -r)"',
  "stat -c 'mtime %Y %n' /var/lib/apt/lists /var/lib/apt/periodic/update-success-stamp /var/run/reboot-required" +
    ' /var/cache/dnf/*/repodata/repomd.xml /var/cache/libdnf5/*/repodata/repomd.xml /var/cache/yum/*/*/*/repomd.xml' +
    ' /boot/vmlinuz-* /boot/vmlinux-* 2>/dev/null',
  'set -- /var/lib/apt/lists/*_Packages*; [ -e "$1" ] && echo "aptlists $#"',
  'for d in /lib/modules/* /usr/lib/modules/*; do [ -d "$d" ] && echo "module ${d##*/}"; done',
  "[ -r /var/run/reboot-required.pkgs ] && sed 's/^/rebootpkg /' /var/run/reboot-required.pkgs",
  'if command -v needs-restarting >/dev/null 2>&1; then needs-restarting -r >/dev/null 2>&1; echo "needsrestarting $?"; fi',
  'for t in unattended-upgrade dnf-automatic yum-cron; do command -v $t >/dev/null 2>&1 && echo "tool $t"; done',
  'command -v apt-config >/dev/null 2>&1 && apt-config shell UU APT::Periodic::Unattended-Upgrade UPL APT::Periodic::Update-Package-Lists EN APT::Periodic::Enable | sed \'s/^/aptconf /\'',
  "[ -r /etc/dnf/automatic.conf ] && sed -n 's/^[[:space:]]*apply_updates[[:space:]]*=[[:space:]]*/dnfapply /p' /etc/dnf/automatic.conf",
  `if command -v systemctl >/dev/null 2>&1; then for u in ${UNITS.join(' ')}; do for p in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do if [ -e "$p/$u" ]; then echo "unit $u $(systemctl is-enabled "$u" 2>/dev/null)"; break; fi; done; done; fi`,
  'exit 0',
].join('\n')

// ---------------------------------------------------------------------------------------------------------------
// parsers

export interface PendingList {
  manager: (typeof UPDATE_MANAGERS)[number]
  packages: PendingUpdate[]
}

const SECURITY_ARCHIVE = /-security$|^[a-z]+\/updates$/

/** Parses `apt list --upgradable`: `name/archive[,archive] candidate arch [upgradable from: current]`. */
export function parseAptUpgradable(text: string): PendingUpdate[] {
  const out: PendingUpdate[] = []
  lines(text).forEach((line, i) => {
    if (line === '' || line.startsWith('Listing...') || line.startsWith('#manager ')) return
    const m = /^([^\s/]+)\/(\S+) (\S+) (\S+) \[upgradable from: ([^\]\s]+)\]$/.exec(line)
    if (!m) throw new ParseError(`not an "apt list --upgradable" line: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
    const origins = m[2]!.split(',').filter(Boolean)
    if (origins.length === 0) throw new ParseError('no archive', i + 1)
    out.push({
      name: m[1]!,
      architecture: m[4]!,
      current: m[5]!,
      candidate: m[3]!,
      security: origins.some((o) => SECURITY_ARCHIVE.test(o)),
      origins,
    })
  })
  return out
}

/**
 * Parses `dnf|yum -C -q check-update`: `name.arch  [epoch:]version-release  repo` lines, a long name
 * wrapped onto its own line, then an optional "Obsoleting Packages" section (not updates of their own).
 */
export function parseCheckUpdate(text: string): PendingUpdate[] {
  const out: PendingUpdate[] = []
  let carried = ''
  for (const [i, raw] of lines(text).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#manager ')) continue
    if (/^Obsoleting Packages/i.test(line)) break
    if (/^(Last metadata expiration check|Security:)/.test(line)) continue
    const fields = (carried ? `${carried} ${line}` : line).split(/\s+/)
    if (fields.length === 1) {
      carried = fields[0]!
      continue
    }
    carried = ''
    if (fields.length !== 3) throw new ParseError(`expected "name.arch version repo": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
    const [nameArch, candidate, repo] = fields as [string, string, string]
    const dot = nameArch.lastIndexOf('.')
    if (dot <= 0 || dot === nameArch.length - 1) throw new ParseError(`no architecture in ${JSON.stringify(nameArch.slice(0, 80))}`, i + 1)
    if (!/^(\d+:)?[^:-][^:]*-[^-]+$/.test(candidate)) throw new ParseError(`not a version-release: ${JSON.stringify(candidate.slice(0, 80))}`, i + 1)
    out.push({name: nameArch.slice(0, dot), architecture: nameArch.slice(dot + 1), candidate, security: false, origins: [repo]})
  }
  if (carried) throw new ParseError('output ends inside a wrapped line')
  return out
}

const NEVRA = /^(.+)-(?:\d+:)?[^-]+-[^-]+\.(x86_64|noarch|i686|i386|aarch64|ppc64le|ppc64|s390x|armv7hl|riscv64|src)$/

/** Parses `dnf updateinfo list --security` (dnf 4, dnf 5) and `yum updateinfo list security`: the names of the packages that advisories fix. */
export function parseSecurityAdvisories(text: string): Set<string> {
  const names = new Set<string>()
  for (const line of lines(text)) {
    for (const token of line.trim().split(/\s+/)) {
      const m = NEVRA.exec(token)
      if (m) names.add(`${m[1]}.${m[2]}`)
    }
  }
  return names
}

export interface UpdateState {
  nowEpoch?: number
  bootEpoch?: number
  runningKernel?: string
  /** path → mtime (seconds since the epoch). */
  mtimes: Map<string, number>
  aptListFiles: number
  modules: string[]
  rebootPackages: string[]
  needsRestarting?: number
  tools: Set<string>
  aptConfig: Map<string, string>
  dnfApplyUpdates?: string
  units: Map<string, string>
}

/** Parses the `state` command: one `key value` line each. */
export function parseUpdateState(text: string): UpdateState {
  const s: UpdateState = {mtimes: new Map(), aptListFiles: 0, modules: [], rebootPackages: [], tools: new Set(), aptConfig: new Map(), units: new Map()}
  let known = 0
  lines(text).forEach((line, i) => {
    if (line.trim() === '') return
    const sp = line.indexOf(' ')
    const key = sp < 0 ? line : line.slice(0, sp)
    const value = sp < 0 ? '' : line.slice(sp + 1)
    known++
    switch (key) {
      case 'now':
        s.nowEpoch = epoch(value, i)
        break
      case 'boot':
        s.bootEpoch = epoch(value, i)
        break
      case 'kernel':
        if (value.trim()) s.runningKernel = value.trim()
        break
      case 'mtime': {
        const m = /^(\d+) (\/.*)$/.exec(value)
        if (!m) throw new ParseError(`expected "mtime SECONDS PATH": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        s.mtimes.set(m[2]!, Number(m[1]))
        break
      }
      case 'aptlists':
        s.aptListFiles = toInt(value) ?? bad(line, i)
        break
      case 'module':
        if (value && !s.modules.includes(value)) s.modules.push(value)
        break
      case 'rebootpkg':
        if (value.trim() && !s.rebootPackages.includes(value.trim())) s.rebootPackages.push(value.trim())
        break
      case 'needsrestarting':
        s.needsRestarting = toInt(value) ?? bad(line, i)
        break
      case 'tool':
        s.tools.add(value)
        break
      case 'aptconf': {
        const m = /^([A-Z]+)='(.*)'$/.exec(value)
        if (!m) throw new ParseError(`expected apt-config shell output: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        s.aptConfig.set(m[1]!, m[2]!)
        break
      }
      case 'dnfapply':
        s.dnfApplyUpdates = value.trim()
        break
      case 'unit': {
        const [unit, state] = value.split(' ')
        if (!unit) bad(line, i)
        s.units.set(unit!, state ?? '')
        break
      }
      default:
        known--
        throw new ParseError(`unknown line ${JSON.stringify(line.slice(0, 80))}`, i + 1)
    }
  })
  if (known === 0 || s.runningKernel === undefined || s.nowEpoch === undefined) throw new ParseError('no "now" and "kernel" lines')
  return s
}

function epoch(value: string, i: number): number {
  const n = toInt(value)
  if (n === undefined || n < 0) throw new ParseError(`not seconds since the epoch: ${JSON.stringify(value.slice(0, 40))}`, i + 1)
  return n
}

function bad(line: string, i: number): never {
  throw new ParseError(`malformed line ${JSON.stringify(line.slice(0, 80))}`, i + 1)
}

/** The leading numbers of a kernel release: 6.1.0-26-amd64 → [6, 1, 0, 26]; 5.14.0-427.13.1.el9_4.x86_64 → [5, 14, 0, 427, 13, 1]. */
export function kernelNumbers(release: string): number[] {
  const m = /^\d+(?:[.-]\d+)*/.exec(release)
  return m ? m[0].split(/[.-]/).map(Number) : []
}

/** Compares two kernel releases by their leading numbers (flavours of the same version compare equal). */
export function compareKernels(a: string, b: string): number {
  const x = kernelNumbers(a)
  const y = kernelNumbers(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1)
    if (d !== 0) return d
  }
  return 0
}

/** Reboot signals: reboot-required, needs-restarting -r, a newer kernel installed, the running kernel's image replaced since boot. */
export function rebootFrom(s: UpdateState): RebootData {
  const running = s.runningKernel!
  const reasons: string[] = []
  let no = false
  const flagFile = [...s.mtimes.keys()].find((p) => /\/run\/reboot-required$/.test(p))
  if (flagFile) reasons.push(`${flagFile} exists`)
  if (s.needsRestarting === 1) reasons.push('needs-restarting -r says so')
  else if (s.needsRestarting === 0) no = true
  const images = new Map<string, number>()
  for (const [p, t] of s.mtimes) {
    const m = /^\/boot\/vmlinu[xz]-(.+)$/.exec(p)
    if (m) images.set(m[1]!, t)
  }
  const installed = (images.size > 0 ? [...images.keys()] : [...s.modules]).filter((k) => kernelNumbers(k).length > 0)
  installed.sort((a, b) => compareKernels(a, b) || (a < b ? -1 : a > b ? 1 : 0))
  const newest = installed.at(-1)
  if (newest !== undefined) {
    if (compareKernels(newest, running) > 0) reasons.push(`kernel ${newest} installed, ${running} running`)
    else if (installed.includes(running)) no ||= s.needsRestarting === undefined
    const image = images.get(running)
    if (image !== undefined && s.bootEpoch !== undefined && image > s.bootEpoch) reasons.push(`kernel image of ${running} replaced since boot`)
  }
  const required = reasons.length > 0 ? true : no ? false : undefined
  return {
    ...(required === undefined ? {} : {required}),
    reasons,
    packages: s.rebootPackages,
    runningKernel: running,
    installedKernels: installed,
    ...(newest ? {newestKernel: newest} : {}),
  }
}

const OFF_STATES = new Set(['disabled', 'masked', 'masked-runtime', 'static', 'indirect', 'bad', ''])

export function automaticUpdatesFrom(s: UpdateState, manager: (typeof UPDATE_MANAGERS)[number] | undefined): AutomaticUpdatesData {
  const unit = (names: string[]) => names.find((u) => s.units.has(u))
  const prefersDnf = manager === 'dnf' || manager === 'yum'
  if (s.tools.has('unattended-upgrade') && !prefersDnf) {
    const uu = s.aptConfig.get('UU')
    const upl = s.aptConfig.get('UPL')
    const off = (v: string | undefined) => v === undefined || v === '' || v === '0'
    const u = unit(['apt-daily-upgrade.timer'])
    const state = u ? s.units.get(u) : undefined
    const timerOff = state !== undefined && OFF_STATES.has(state)
    return {
      mechanism: 'unattended-upgrades',
      enabled: !off(uu) && s.aptConfig.get('EN') !== '0' && !timerOff,
      ...(u ? {unit: u} : {}),
      ...(state ? {unitState: state} : {}),
      unattendedUpgrade: uu ?? '',
      updatePackageLists: upl ?? '',
    }
  }
  const dnfUnit = unit(['dnf-automatic-install.timer', 'dnf-automatic.timer', 'dnf5-automatic.timer'])
  if (s.tools.has('dnf-automatic') || dnfUnit) {
    const enabledUnit = ['dnf-automatic-install.timer', 'dnf-automatic.timer', 'dnf5-automatic.timer'].find((u) => s.units.get(u) === 'enabled')
    const u = enabledUnit ?? dnfUnit
    const apply = s.dnfApplyUpdates === undefined ? undefined : /^(1|yes|true|on)$/i.test(s.dnfApplyUpdates)
    return {
      mechanism: 'dnf-automatic',
      ...(s.units.size > 0 || u ? {enabled: enabledUnit !== undefined} : {}),
      ...(u ? {unit: u, unitState: s.units.get(u) || 'unknown'} : {}),
      ...(enabledUnit === 'dnf-automatic-install.timer' ? {applyUpdates: true} : apply === undefined ? {} : {applyUpdates: apply}),
    }
  }
  if (s.tools.has('yum-cron')) {
    const state = s.units.get('yum-cron.service')
    return {
      mechanism: 'yum-cron',
      ...(state === undefined ? {} : {enabled: state === 'enabled', unit: 'yum-cron.service', unitState: state || 'unknown'}),
    }
  }
  return {mechanism: 'none', enabled: false}
}

// ---------------------------------------------------------------------------------------------------------------

function managerOf(out: CommandOutput): (typeof UPDATE_MANAGERS)[number] | undefined {
  const m = /^#manager (apt|dnf|yum)$/m.exec(out.stdout)
  return m ? (m[1] as (typeof UPDATE_MANAGERS)[number]) : undefined
}

const days = (seconds: number) => Math.floor(seconds / 86400)

export const updatesProbe = defineProbe({
  id: 'updates',
  title: 'Pending updates',
  platforms: ['Linux'],
  schema: UpdatesSchema,
  commands: {
    pending: PENDING,
    security: SECURITY,
    state: STATE,
  },
  timeoutMs: 30_000,
  weight: 10,
  interpret(out): ProbeResult<UpdatesData> {
    const pendingOut = out.pending
    if (notInstalled(pendingOut)) return {status: 'unavailable', reason: 'not installed: no apt, dnf or yum'}
    const stateFail = failure(out.state, 'state')
    if (stateFail) return stateFail
    const state = parseUpdateState(out.state!.stdout)
    const manager = pendingOut?.ran ? managerOf(pendingOut) : undefined
    if (!manager) return failure(pendingOut, 'pending updates') ?? {status: 'error', reason: 'pending updates: no "#manager" line'}
    const missing: string[] = []

    let packages: PendingUpdate[] | undefined
    const fail = failure(pendingOut, manager === 'apt' ? 'apt list --upgradable' : `${manager} check-update`)
    if (fail) missing.push(fail.reason ?? 'pending updates')
    else if (manager === 'apt') packages = parseAptUpgradable(pendingOut!.stdout)
    else {
      packages = parseCheckUpdate(pendingOut!.stdout)
      if (succeeded(out.security)) {
        const secure = parseSecurityAdvisories(out.security.stdout)
        for (const p of packages) p.security = secure.has(`${p.name}.${p.architecture}`)
      } else {
        missing.push(failure(out.security, 'security advisories')?.reason ?? 'security advisories')
        packages = undefined
      }
    }

    // the cache's age
    let updated: number | undefined
    if (manager === 'apt') {
      const times = ['/var/lib/apt/lists', '/var/lib/apt/periodic/update-success-stamp'].map((p) => state.mtimes.get(p)).filter((t) => t !== undefined)
      if (state.aptListFiles > 0 && times.length > 0) updated = Math.max(...times)
    } else {
      const times = [...state.mtimes].filter(([p]) => p.endsWith('/repomd.xml')).map(([, t]) => t)
      if (times.length > 0) updated = Math.min(...times)
    }
    const updatedAt = isoFromEpochSeconds(updated)
    const age = updated !== undefined && state.nowEpoch !== undefined ? Math.max(0, state.nowEpoch - updated) : undefined
    const stale = updatedAt === undefined || age === undefined || age > STALE_CACHE_SECONDS
    if (packages && manager === 'apt' && state.aptListFiles === 0) {
      missing.push('no package lists (apt-get update never ran): pending updates unknown')
      packages = undefined
    } else if (packages && stale) {
      missing.push(
        age === undefined
          ? 'package cache age unknown: pending updates may be missing'
          : `stale package cache: last refreshed ${days(age)} days ago, pending updates may be missing`,
      )
    }

    const data: UpdatesData = {
      manager,
      ...(packages
        ? {pending: packages.length, security: packages.filter((p) => p.security).length, packages}
        : {}),
      ...(updatedAt ? {cacheUpdatedAt: updatedAt} : {}),
      ...(age === undefined ? {} : {cacheAgeSeconds: age}),
      cacheStale: stale,
      reboot: rebootFrom(state),
      automaticUpdates: automaticUpdatesFrom(state, manager),
    }
    return missing.length > 0 ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
