import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {Arr, Bool, NonNegInt, Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** The kernel parameters checks look at (CIS and TCVN hardening), as sysctl names them. */
export const SYSCTL_KEYS = [
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.accept_redirects',
  'net.ipv4.conf.default.accept_redirects',
  'net.ipv4.conf.all.secure_redirects',
  'net.ipv4.conf.default.secure_redirects',
  'net.ipv4.conf.all.send_redirects',
  'net.ipv4.conf.default.send_redirects',
  'net.ipv4.conf.all.accept_source_route',
  'net.ipv4.conf.default.accept_source_route',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.default.rp_filter',
  'net.ipv4.conf.all.log_martians',
  'net.ipv4.conf.default.log_martians',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.icmp_echo_ignore_broadcasts',
  'net.ipv4.icmp_ignore_bogus_error_responses',
  'net.ipv6.conf.all.forwarding',
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv6.conf.all.accept_ra',
  'net.ipv6.conf.default.accept_ra',
  'net.ipv6.conf.all.accept_redirects',
  'net.ipv6.conf.default.accept_redirects',
  'net.ipv6.conf.all.accept_source_route',
  'net.ipv6.conf.default.accept_source_route',
  'net.core.bpf_jit_harden',
  'kernel.randomize_va_space',
  'kernel.kptr_restrict',
  'kernel.dmesg_restrict',
  'kernel.yama.ptrace_scope',
  'kernel.sysrq',
  'kernel.perf_event_paranoid',
  'kernel.unprivileged_bpf_disabled',
  'kernel.unprivileged_userns_clone',
  'kernel.kexec_load_disabled',
  'kernel.core_pattern',
  'kernel.core_uses_pid',
  'fs.suid_dumpable',
  'fs.protected_hardlinks',
  'fs.protected_symlinks',
  'fs.protected_fifos',
  'fs.protected_regular',
  'dev.tty.ldisc_autoload',
  'vm.mmap_min_addr',
] as const
/** Whitespace runs as one space, none at the ends: how a value is compared (/proc/sys separates fields with tabs, files with anything). */
export const normaliseSysctlValue = (value: string): string => value.trim().replace(/\s+/g, ' ')

const KeyName = Str({pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)+$'})
const CoreLimit = Obj({file: Str(), domain: Str(), type: Str(), value: Str()})

export const SysctlSchema = Obj({
  /** Values as /proc/sys prints them (whitespace-separated fields kept), keyed by sysctl name. */
  params: Type.Record(KeyName, Str()),
  /** Parameters of the list this kernel does not have. */
  absent: Arr(Str()),
  /** Parameters that exist but could not be read (root only, e.g. net.core.bpf_jit_harden). */
  unreadable: Arr(Str()),
  /**
   * The listed parameters as the next boot sets them (sysctl.d files, then /etc/sysctl.conf; see
   * inventory/sysctl-persisted.ts): the value (whitespace runs as one space) and the file and line that set it
   * last. A parameter no file sets is not here. Absent when the files were not read.
   */
  persisted: Opt(Type.Record(KeyName, Obj({value: Str(), file: Str(), line: NonNegInt()}))),
  /** The files read for `persisted`, in the order the boot reads them. */
  persistedFiles: Opt(Arr(Str())),
  /** Files of that list that could not be read: a parameter `persisted` lacks may be set in one of them. */
  persistedUnreadable: Opt(Arr(Str())),
  coreDumps: Opt(Obj({
    /** `core` lines of /etc/security/limits.conf and limits.d/*.conf, in reading order. */
    limits: Arr(CoreLimit),
    /** A `hard core 0` for every user (domain `*`) is set. */
    hardLimitZero: Bool(),
    /** systemd-coredump is installed (it then receives cores through kernel.core_pattern). */
    systemdCoredump: Bool(),
    /** Storage= of coredump.conf after its drop-ins (none, external, journal). */
    storage: Opt(Str()),
    processSizeMax: Opt(Str()),
  })),
})
export type SysctlData = Static<typeof SysctlSchema>

export const sysctlSection = defineSection({
  id: 'sysctl',
  title: 'Kernel parameters',
  version: 1,
  schema: SysctlSchema,
  upgrades: [],
})
