import {KERNEL_MODULES, moduleName, type KernelModulesData} from '../../model/sections/kernel-modules.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why} from '../../model/why.js'
import {failBecause as fail, resolveTop, unknownBecause as unknown, type Outcome} from './assertion.js'

/**
 * A kernel module that must not load, judged running *and* persisted:
 *
 *   {module: cramfs, disabled: true}
 *
 * fail when it is loaded now or built into the kernel, or when the modprobe.d files the next boot reads do not both
 * replace its loading by a command that fails (`install cramfs /bin/false`) and blacklist it; pass when it is not
 * in the kernel now and both lines are there, or when the kernel loads no module at all; unknown when either side
 * was not observed.
 */
export interface ModuleAssertion {
  module: (typeof KERNEL_MODULES)[number] | string
  disabled: true
}

/** Where a check's reason tells the administrator to disable a module. */
export const MODPROBE_FIX_FILE = '/etc/modprobe.d/60-hatang.conf'
/** Install commands that load nothing. */
const REFUSING = /^(\/usr)?\/bin\/(false|true)$/
/** The socket protocols a network module adds (/proc/net/protocols). */
const PROTOCOLS: Record<string, string[]> = {sctp: ['SCTP', 'SCTPv6'], dccp: ['DCCP', 'DCCPv6'], tipc: ['TIPC'], rds: ['RDS']}


export function evaluateModule(a: ModuleAssertion, snapshot: Snapshot): Outcome {
  const module = moduleName(a.module)
  const section = resolveTop(snapshot, 'kernelModules')
  if (!section.ok) return unknown(section.reason, why('module.sectionMissing', {module, status: section.reason}))
  const data = section.value as KernelModulesData
  if (data.loaded.map(moduleName).includes(module)) return fail(`${module} is loaded now`, why('module.loaded', {module}))
  const inKernel = data.filesystems.includes(module) || (PROTOCOLS[module] ?? []).some((p) => data.protocols.includes(p))
  if (inKernel) return fail(`${module} is built into the kernel: it cannot be disabled`, why('module.builtIn', {module}))
  if (!data.loadable) return {verdict: 'pass'}
  const config = data.config[module] ?? {}
  const install = config.install && REFUSING.test(config.install.command) ? config.install : undefined
  if (install && config.blacklist) return {verdict: 'pass'}
  if (data.configUnreadable?.length) {
    const files = data.configUnreadable.join(', ')
    return unknown(`${module}: not loaded now; whether the boot disables it is unknown: cannot read ${files}`, why('module.configUnreadable', {module, files}))
  }
  const installLine = `install ${module} /bin/false`
  const blacklistLine = `blacklist ${module}`
  const file = MODPROBE_FIX_FILE
  if (!install && !config.blacklist) return fail(`${module}: not loaded now, not disabled at boot: add '${installLine}' and '${blacklistLine}' to ${file}`, why('module.notDisabled', {module, install: installLine, blacklist: blacklistLine, file}))
  if (!install) return fail(`${module}: blacklisted, but modprobe would still load it: add '${installLine}' to ${file}`, why('module.noInstall', {module, install: installLine, file}))
  return fail(`${module}: its loading is refused, but it is not blacklisted: add '${blacklistLine}' to ${file}`, why('module.noBlacklist', {module, blacklist: blacklistLine, file}))
}
