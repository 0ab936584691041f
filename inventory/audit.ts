import {type Static} from '@sinclair/typebox'

import {ParseError} from '../src/collect/parse-error.js'
import {defineProbe} from '../src/collect/probe.js'
import {deniedByPermissions, failure, lines, notInstalled, succeeded, toInt} from '../src/collect/probe-helpers.js'
import {Arr, Bool, NonNegInt, Obj, Opt} from '../src/model/schema-helpers.js'

export const AuditSchema = Obj({
  /** auditd is installed. */
  installed: Bool(),
  running: Bool(),
  pids: Arr(NonNegInt()),
  /** The kernel's audit is on (auditctl -s: enabled 1 or 2). Root only. */
  enabled: Opt(Bool()),
  /** enabled 2: the configuration is immutable until reboot. */
  locked: Opt(Bool()),
  /** What the kernel does on a critical error: 0 silent, 1 printk, 2 panic. */
  failureMode: Opt(NonNegInt()),
  backlogLimit: Opt(NonNegInt()),
  lost: Opt(NonNegInt()),
  /** Rules loaded in the kernel (auditctl -l). Root only. */
  rules: Opt(NonNegInt()),
})
export type AuditData = Static<typeof AuditSchema>

/** Parses the `state` command: `installed yes|no` and `pids N…` (possibly empty). */
export function parseAuditState(text: string): {installed: boolean; pids: number[]} {
  let installed: boolean | undefined
  let pids: number[] | undefined
  for (const raw of lines(text)) {
    const line = raw.trim()
    const i = /^installed (yes|no)$/.exec(line)
    if (i) installed = i[1] === 'yes'
    const p = /^pids((?: \d+)*)$/.exec(line)
    if (p) pids = p[1]!.split(' ').map((x) => toInt(x)).filter((x): x is number => x !== undefined)
  }
  if (installed === undefined || pids === undefined) throw new ParseError('expected "installed" and "pids" lines')
  return {installed, pids}
}

export interface AuditStatus {
  enabled?: boolean
  locked?: boolean
  failureMode?: number
  backlogLimit?: number
  lost?: number
  rules?: number
}

/** Parses `auditctl -s`, a `--- rules` line, then `auditctl -l` ("No rules" or one rule a line). */
export function parseAuditctl(text: string): AuditStatus {
  const s: AuditStatus = {}
  let inRules = false
  let rules = 0
  let sawStatus = false
  for (const raw of lines(text)) {
    const line = raw.trim()
    if (line === '--- rules') {
      inRules = true
      continue
    }
    if (inRules) {
      if (line !== '' && line !== 'No rules') rules++
      continue
    }
    const m = /^([a-z_]+) (\d+)/.exec(line)
    if (!m) continue
    const v = Number(m[2])
    sawStatus = true
    if (m[1] === 'enabled') {
      s.enabled = v === 1 || v === 2
      s.locked = v === 2
    } else if (m[1] === 'failure') s.failureMode = v
    else if (m[1] === 'backlog_limit') s.backlogLimit = v
    else if (m[1] === 'lost') s.lost = v
  }
  if (!sawStatus || s.enabled === undefined) throw new ParseError('no "enabled N" in auditctl -s')
  if (inRules) s.rules = rules
  for (const k of Object.keys(s) as (keyof AuditStatus)[]) if (typeof s[k] === 'number' && !Number.isSafeInteger(s[k])) delete s[k]
  return s
}

export const auditProbe = defineProbe({
  id: 'audit',
  title: 'Audit daemon',
  platforms: ['Linux'],
  schema: AuditSchema,
  commands: {
    state: `if command -v auditd >/dev/null 2>&1; then echo installed yes; else echo installed no; fi; echo "pids $(pidof auditd 2>/dev/null)"`,
    auditctl: "command -v auditctl >/dev/null 2>&1 || exit 127; auditctl -s || exit $?; echo '--- rules'; auditctl -l",
  },
  interpret(out) {
    const fail = failure(out.state, 'auditd')
    if (fail) return fail
    const st = parseAuditState(out.state!.stdout)
    const data: AuditData = {installed: st.installed, running: st.pids.length > 0, pids: st.pids}
    if (succeeded(out.auditctl)) {
      const a = parseAuditctl(out.auditctl.stdout)
      Object.assign(data, a)
      return {status: 'ok', data}
    }
    if (notInstalled(out.auditctl)) return {status: 'ok', data}
    // auditctl says "You must be root to run this program." (exit 4) as non-root
    if (deniedByPermissions(out.auditctl)) return {status: 'partial', reason: 'needs root: kernel audit status and rules (auditctl)', data}
    return {status: 'partial', reason: failure(out.auditctl, 'auditctl')?.reason ?? 'auditctl', data}
  },
})
