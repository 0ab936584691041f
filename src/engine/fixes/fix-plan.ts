import type {Check, Pack} from '../checks/pack.js'
import {isCollected} from '../../model/host-status.js'
import {bySeverity, severityRank, type Severity} from '../../model/severity.js'
import {FIX_FACTS, FIX_RISKS, isAutoFix, type AutoFix, type FixRisk} from './fix-schema.js'

/** Text in both languages. */
export interface Bilingual {
  vi: string
  en: string
}

/** One host as a fix plan sees it: how it was collected, the facts fixes may read, how hatang reached it, its results. */
export interface FixHost {
  name: string
  /** The snapshot's host status (ok, partial, unreachable…). */
  status: string
  /** Why it was not collected, when it was not. */
  reason?: string
  unit?: string
  /** os.distribution (debian, ubuntu, rhel…). */
  distribution?: string
  /** os.codename, only when made of [a-z0-9] (anything else is no fact a fix may read). */
  codename?: string
  /** The ports sshd listens on and the port hatang connected to; empty when none is known. */
  sshPorts: number[]
  /** TCP and UDP ports its services listen on beyond loopback; absent when the ports section was not read. */
  listening?: {tcp: number[]; udp: number[]}
  /** hatang reaches the host with a password (the hosts file names a password variable). */
  passwordLogin: boolean
  results: {pack: string; check: string; severity: string; status: string; waiver?: {status: string; reason: string; approver: string; expires: string; source: string}}[]
}

export interface PlannedFix {
  pack: string
  check: string
  severity: Severity
  risk: FixRisk
}
export interface ManualFinding {
  pack: string
  check: string
  severity: Severity
  /** Why no automatic fix is planned (the pack's reason, or what the host lacks); absent: none was written. */
  reason?: Bilingual
}
/** The facts a host's fixes read, named as the fixes name them (src/engine/fixes/fix-schema.ts FIX_FACTS). */
export interface FixFacts {
  hatang_ssh_ports?: number[]
  hatang_os_codename?: string
  hatang_tcp_ports?: number[]
  hatang_udp_ports?: number[]
  /** The ssh service's name: ssh in the Debian family, sshd elsewhere (the handlers' reload). */
  hatang_ssh_service: 'ssh' | 'sshd'
}
export interface HostPlan {
  host: string
  unit?: string
  facts: FixFacts
  fixes: PlannedFix[]
  manual: ManualFinding[]
}
export interface FixPlan {
  /** Hosts with at least one failed finding selected, in the results' order. */
  hosts: HostPlan[]
  /** Failed findings left out because a waiver covers them. */
  waived: {host: string; check: string; severity: string; reason: string; approver: string; expires: string}[]
  /** Hosts not collected: no fix is planned for what was not observed. */
  notCollected: {host: string; status: string; reason?: string}[]
  /** Selected checks whose result is unknown, per host: never a fix. */
  unknown: {host: string; checks: string[]}[]
  /** The checks with automatic fixes in the plan, in the order they run: risk, then severity, then id. */
  order: {pack: string; check: string; severity: Severity; risk: FixRisk; fix: AutoFix; title: Bilingual}[]
}

export interface FixSelection {
  /** Only these check ids. */
  checks?: readonly string[]
  /** Only findings at or above this severity. */
  severity?: Severity
  /** Only these hosts. */
  hosts?: ReadonlySet<string>
}

const DEBIAN_FAMILY = new Set(['debian', 'ubuntu', 'linuxmint', 'raspbian', 'kali', 'pop'])

function factsOf(host: FixHost): FixFacts {
  return {
    hatang_ssh_service: host.distribution && !DEBIAN_FAMILY.has(host.distribution) ? 'sshd' : 'ssh',
    ...(host.sshPorts.length > 0 ? {hatang_ssh_ports: [...host.sshPorts].sort((a, b) => a - b)} : {}),
    ...(host.codename ? {hatang_os_codename: host.codename} : {}),
    ...(host.listening ? {hatang_tcp_ports: host.listening.tcp, hatang_udp_ports: host.listening.udp} : {}),
  }
}

const FACT_WORDS: Record<keyof typeof FIX_FACTS, Bilingual> = {
  sshPorts: {vi: 'không biết SSH nghe ở cổng nào', en: 'the ports SSH listens on are not known'},
  osCodename: {vi: 'không biết tên mã của bản phát hành hệ điều hành', en: "the operating system release's codename is not known"},
  listenTcp: {vi: 'không biết các cổng dịch vụ đang nghe', en: 'the ports its services listen on are not known'},
  listenUdp: {vi: 'không biết các cổng dịch vụ đang nghe', en: 'the ports its services listen on are not known'},
}

/** Why this host cannot have this automatic fix, or undefined when it can. */
function whyManual(fix: AutoFix, host: FixHost, facts: FixFacts): Bilingual | undefined {
  if (fix.guard === 'keyLogin' && host.passwordLogin)
    return {
      vi: 'hatang đăng nhập máy này bằng mật khẩu: sửa tự động sẽ cắt đường vào đó; hãy chuyển sang khóa trước',
      en: 'hatang logs in to this host with a password: the fix would cut that access; move to a key first',
    }
  if (fix.distribution && !(host.distribution && fix.distribution.includes(host.distribution)))
    return {
      vi: `bản sửa tự động chỉ viết cho ${fix.distribution.join(', ')}; máy này là ${host.distribution ?? 'không rõ'}`,
      en: `the automatic fix is written for ${fix.distribution.join(', ')} only; this host runs ${host.distribution ?? 'an unknown distribution'}`,
    }
  for (const need of fix.needs ?? []) if (facts[FIX_FACTS[need]] === undefined) return FACT_WORDS[need]
  return undefined
}

/**
 * The fix plan: for every collected host, each selected failed finding gets its check's automatic fix or is listed as
 * manual with the reason. Nothing comes from a waived finding (listed apart), from an unknown result, or from a
 * host that was not collected. Fixes run in risk order (changes that cannot cut the way in first, sshd and the
 * firewall after, removals last), then in the packs' order, a fix with `before` ahead of the fixes it names.
 */
export function buildFixPlan(hosts: readonly FixHost[], packs: readonly Pack[], selection: FixSelection = {}): FixPlan {
  const checks = new Map<string, {pack: Pack; check: Check; rank: number}>()
  for (const pack of packs) for (const check of pack.checks) checks.set(`${pack.pack}/${check.id}`, {pack, check, rank: checks.size})
  // within a risk, the packs' order: a pack writes its fixes in the order they can run in
  const rank = (f: {pack: string; check: string}) => checks.get(`${f.pack}/${f.check}`)?.rank ?? Number.MAX_SAFE_INTEGER
  const wanted = (r: {check: string; severity: string}) =>
    (!selection.checks || selection.checks.includes(r.check)) && (!selection.severity || severityRank(r.severity) <= severityRank(selection.severity))
  const inOrder = (a: {pack: string; check: string; risk: FixRisk}, b: typeof a) => FIX_RISKS.indexOf(a.risk) - FIX_RISKS.indexOf(b.risk) || rank(a) - rank(b)
  const plan: FixPlan = {hosts: [], waived: [], notCollected: [], unknown: [], order: []}
  const used = new Map<string, FixPlan['order'][number]>()
  for (const host of hosts) {
    if (selection.hosts && !selection.hosts.has(host.name)) continue
    if (!isCollected(host.status)) {
      plan.notCollected.push({host: host.name, status: host.status, ...(host.reason ? {reason: host.reason} : {})})
      continue
    }
    const facts = factsOf(host)
    const hostPlan: HostPlan = {host: host.name, ...(host.unit ? {unit: host.unit} : {}), facts, fixes: [], manual: []}
    const unknown: string[] = []
    for (const r of host.results.filter(wanted)) {
      if (r.status === 'unknown') unknown.push(r.check)
      if (r.status === 'waived' && r.waiver?.status === 'fail')
        plan.waived.push({host: host.name, check: r.check, severity: r.severity, reason: r.waiver.reason, approver: r.waiver.approver, expires: r.waiver.expires})
      if (r.status !== 'fail') continue
      const found = checks.get(`${r.pack}/${r.check}`)
      const severity = r.severity as Severity
      const fix = found?.check.fix
      if (!found || !isAutoFix(fix)) {
        hostPlan.manual.push({pack: r.pack, check: r.check, severity, ...(fix && !isAutoFix(fix) ? {reason: fix.manual} : {})})
        continue
      }
      const why = whyManual(fix, host, facts)
      if (why) {
        hostPlan.manual.push({pack: r.pack, check: r.check, severity, reason: why})
        continue
      }
      const risk = fix.risk ?? 'none'
      hostPlan.fixes.push({pack: r.pack, check: r.check, severity, risk})
      if (!used.has(r.check)) used.set(r.check, {pack: r.pack, check: r.check, severity, risk, fix, title: found.check.title})
    }
    if (unknown.length > 0) plan.unknown.push({host: host.name, checks: unknown})
    if (hostPlan.fixes.length + hostPlan.manual.length === 0) continue
    hostPlan.fixes = withBefore(hostPlan.fixes.sort(inOrder), (c) => (used.get(c)?.fix.before ?? []))
    hostPlan.manual.sort((a, b) => bySeverity(a, b) || a.check.localeCompare(b.check))
    plan.hosts.push(hostPlan)
  }
  plan.order = withBefore(
    [...used.values()].sort(inOrder),
    (c) => used.get(c)?.fix.before ?? [],
  )
  return plan
}

/** The list with each fix moved just ahead of the first fix it must run before (a fix's `before`); stable otherwise. */
function withBefore<T extends {check: string}>(list: T[], before: (check: string) => readonly string[]): T[] {
  const out = [...list]
  // each pass moves fixes only earlier, so it ends; a cycle in the packs stops after as many passes as fixes
  for (let pass = 0; pass < out.length; pass++) {
    let moved = false
    for (let i = 0; i < out.length; i++) {
      const targets = before(out[i]!.check)
      const j = targets.length === 0 ? -1 : out.findIndex((x) => targets.includes(x.check))
      if (j !== -1 && j < i) {
        out.splice(j, 0, ...out.splice(i, 1))
        moved = true
      }
    }
    if (!moved) break
  }
  return out
}

/** The Ansible group of the hosts that need a check's fix: fix_ and the id with '.' and '-' as '_'. */
export const fixGroup = (check: string): string => `fix_${check.replace(/[.-]/g, '_')}`
