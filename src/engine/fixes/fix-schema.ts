import type {Static} from '@sinclair/typebox'
import {Type} from '../../model/type-builder.js'

import {Arr, Bool, Obj, Opt, Str, StringEnum} from '../../model/schema-helpers.js'
import {HANDLER_NAMES, SH_HANDLERS} from './handlers.js'

/** The plan's order: safe changes first, then the ones that can cut the way in (sshd, firewall), removals last. */
export const FIX_RISKS = ['none', 'sshd', 'firewall', 'removal'] as const
export type FixRisk = (typeof FIX_RISKS)[number]

/** Facts of the host's snapshot a fix may read, and the variable each becomes (injected as data, never as code). */
export const FIX_FACTS = {
  sshPorts: 'hatang_ssh_ports',
  osCodename: 'hatang_os_codename',
  /** TCP and UDP ports the host's services listen on beyond loopback (a firewall fix keeps them open). */
  listenTcp: 'hatang_tcp_ports',
  listenUdp: 'hatang_udp_ports',
} as const
export type FixFact = keyof typeof FIX_FACTS

/** Ansible modules a fix may use: builtin ones, and ansible.posix.sysctl (shipped with Debian's ansible). */
export const FIX_MODULES = [
  'ansible.builtin.lineinfile',
  'ansible.builtin.blockinfile',
  'ansible.builtin.copy',
  'ansible.builtin.file',
  'ansible.builtin.service',
  'ansible.builtin.systemd',
  'ansible.builtin.apt',
  'ansible.builtin.dnf',
  'ansible.builtin.package',
  'ansible.builtin.user',
  'ansible.builtin.command',
  'ansible.builtin.shell',
  'ansible.posix.sysctl',
] as const
/** Modules that run arbitrary commands: allowed only with creates: or removes:, when nothing else fits. */
export const COMMAND_MODULES = new Set<string>(['ansible.builtin.command', 'ansible.builtin.shell'])

const Bilingual = Obj({vi: Str({minLength: 1}), en: Str({minLength: 1})})
const ModuleArgs = Type.Record(Str(), Type.Unknown())

export const FixTaskSchema = Obj(
  {
    name: Str({minLength: 1}),
    ...Object.fromEntries(FIX_MODULES.map((m) => [m, Opt(ModuleArgs)])),
    notify: Opt(Type.Union([StringEnum(HANDLER_NAMES), Arr(StringEnum(HANDLER_NAMES), {minItems: 1})])),
    when: Opt(Str({minLength: 1})),
    register: Opt(Str({pattern: '^[a-z_][a-z0-9_]*$'})),
    changed_when: Opt(Type.Union([Str(), Bool()])),
    failed_when: Opt(Type.Union([Str(), Bool()])),
    check_mode: Opt(Bool()),
    loop: Opt(Arr(Type.Union([Str(), Type.Number()]), {minItems: 1})),
  },
  {minProperties: 2},
)
export type FixTask = Static<typeof FixTaskSchema>

export const AutoFixSchema = Obj({
  risk: Opt(StringEnum(FIX_RISKS)),
  needs: Opt(Arr(StringEnum(Object.keys(FIX_FACTS) as FixFact[]), {uniqueItems: true})),
  /**
   * keyLogin: only for hosts hatang reaches with a key, never a password (the fix would cut the access hatang used:
   * sshd's PasswordAuthentication); the others get it as manual.
   */
  guard: Opt(StringEnum(['keyLogin'] as const)),
  /**
   * Checks whose fixes must run after this one where both are planned: a setting whose change resets another
   * (net.ipv4.ip_forward resets the interfaces' accept_redirects), so the other is applied last.
   */
  before: Opt(Arr(Str({pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'}), {minItems: 1})),
  /** os.distribution values the fix is written for (other hosts: manual). */
  distribution: Opt(Arr(Str({minLength: 1}), {minItems: 1})),
  ansible: Arr(FixTaskSchema, {minItems: 1}),
  sh: Str({minLength: 1}),
})
export const ManualFixSchema = Obj({manual: Bilingual})
export const FixSchema = Type.Union([AutoFixSchema, ManualFixSchema])

export type AutoFix = Static<typeof AutoFixSchema>
export type ManualFix = Static<typeof ManualFixSchema>
export type Fix = AutoFix | ManualFix

export function isAutoFix(fix: Fix | undefined): fix is AutoFix {
  return fix !== undefined && 'ansible' in fix
}

/** What the schema cannot say: one module per task; command and shell only with creates/removes; sh handlers known. */
export function fixProblems(fix: Fix): {at: (string | number)[]; problem: string}[] {
  if (!isAutoFix(fix)) return []
  const problems: {at: (string | number)[]; problem: string}[] = []
  fix.ansible.forEach((task, i) => {
    const modules = FIX_MODULES.filter((m) => (task as Record<string, unknown>)[m] !== undefined)
    if (modules.length !== 1) problems.push({at: ['ansible', i], problem: `names ${modules.length} modules; a task uses exactly one of ${FIX_MODULES.join(', ')}`})
    for (const m of modules) {
      const args = (task as Record<string, unknown>)[m] as Record<string, unknown>
      if (COMMAND_MODULES.has(m) && args.creates === undefined && args.removes === undefined)
        problems.push({at: ['ansible', i, m], problem: 'runs a command without creates: or removes:; use a module that says what it changes, or guard the command'})
    }
  })
  const notified = [...fix.sh.matchAll(/hatang_notify\s+(\S+)/g), ...fix.sh.matchAll(/hatang_set_line(?:[ \t]+(?:'[^'\n]*'|"[^"\n]*"|[^\s'"]\S*)){3}[ \t]+([a-z][a-z-]*)[ \t]*(?:$|[;&|])/gm)]
  for (const [, name] of notified)
    if (!(name! in SH_HANDLERS)) problems.push({at: ['sh'], problem: `notifies '${name}', which is none of ${Object.keys(SH_HANDLERS).join(', ')}`})
  return problems
}
