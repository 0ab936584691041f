import {statSync} from 'node:fs'
import os from 'node:os'

import {ConfigError} from '../config/config-error.js'
import {didYouMean} from './did-you-mean.js'
import type {DraftHost, DraftInventory} from './draft.js'
import {expandHome} from './home-path.js'
import {DEFAULT_SSH_PORT, type ConfiguredIdentityFile, type HostHop, type HostSpec, type Inventory, type InventoryWarning} from './model.js'
import {looksLikeAlias, parseProxyJump} from './proxy-jump.js'
import {expandSshTokens, type SshConfig} from './ssh-config.js'

export interface FinalizeOptions {
  /** ~/.ssh/config (or another), consulted for what the inventory does not say. */
  sshConfig?: SshConfig
  home?: string
  localUser?: string
}

/**
 * Turns a draft into the resolved Inventory: inventory settings first, then ssh_config for what they
 * leave unset, then built-in defaults (port 22, ssh, no sudo); `~` expanded; ProxyJump aliases resolved.
 */
export function finalizeInventory(draft: DraftInventory, options: FinalizeOptions = {}): {inventory?: Inventory; errors: ConfigError[]} {
  const home = options.home ?? os.homedir()
  const localUser = options.localUser ?? os.userInfo().username
  const errors: ConfigError[] = []
  const isFile = fileCheck()
  // one warning object per place and text, shared by the hosts it applies to
  const interned = new Map<string, InventoryWarning>()
  const intern = (w: InventoryWarning): InventoryWarning => {
    const key = `${w.file}:${w.line}:${w.column} ${w.message}`
    const known = interned.get(key)
    if (known) return known
    interned.set(key, w)
    return w
  }
  /** The identity files the inventory names, where each is written, and whether it exists. */
  const configured = (h: DraftHost, files: string[]): {list: ConfiguredIdentityFile[]; warnings: InventoryWarning[]} => {
    const list: ConfiguredIdentityFile[] = []
    const warnings: InventoryWarning[] = []
    files.forEach((file, i) => {
      const origin = h.identityOrigins?.[i] ?? h.origins.identityFiles ?? {...h.source, path: ''}
      const written = h.settings.identityFiles![i]!
      if (isFile(file)) return list.push({file, origin})
      list.push({file, origin, missing: true})
      warnings.push(
        intern({
          ...origin,
          code: 'identity-file-missing',
          message: `identity file ${written}${written === file ? '' : ` (${file})`} does not exist`,
          hint: `correct the path, or create the key: ssh-keygen -t ed25519 -f ${file}`,
        }),
      )
    })
    return {list, warnings}
  }

  /** Lists of files as written, `~` expanded, each list once (many hosts name the same keys); hosts share it. */
  const expandedLists = new Map<string, string[]>()
  const expanded = (files: readonly string[]): string[] => {
    const key = files.join('\n')
    let out = expandedLists.get(key)
    if (!out) expandedLists.set(key, (out = files.map((f) => expandHome(f, home))))
    return out
  }
  /** A number for each place a setting is written (the importers share one object per place). */
  const placeIds = new Map<object, number>()
  const placeId = (o: object): number => placeIds.get(o) ?? placeIds.set(o, placeIds.size).get(o)!
  const configuredLists = new Map<string, ReturnType<typeof configured>>()
  /** `configured`, once per list of files and the places they are written. */
  const configuredOnce = (h: DraftHost, files: string[]): ReturnType<typeof configured> => {
    const io = h.identityOrigins
    const where = io ? (io.length >= files.length ? io : undefined) : h.origins.identityFiles
    if (!where) return configured(h, files) // placed at the host itself
    const key = `${h.settings.identityFiles!.join('\n')}\0${Array.isArray(where) ? where.map(placeId).join(',') : placeId(where)}`
    let known = configuredLists.get(key)
    if (!known) configuredLists.set(key, (known = configured(h, files)))
    return known
  }

  /** ProxyJump values as written, resolved once every host is known (a jump may name another host). */
  const proxyRaw = new Map<string, string>()
  // properties assigned one by one, not spread: this runs once per host, 100,000 times for a big inventory
  const base = (h: DraftHost): HostSpec => {
    const s = h.settings
    const ssh = s.transport === 'local' ? undefined : options.sshConfig?.lookup(h.name)
    const address = s.address ?? ssh?.hostname ?? h.name
    const port = s.port ?? ssh?.port ?? DEFAULT_SSH_PORT
    const user = s.user ?? ssh?.user
    const identityFiles = s.identityFiles ? expanded(s.identityFiles) : ssh?.identityFiles.length ? ssh.identityFiles.map((f) => expandSshTokens(f, tokenContext(home, localUser, address, user, port, h.name))) : []
    const spec: HostSpec = {name: h.name, address, port, identityFiles, knownHostsFiles: [], sudo: s.sudo ?? false, transport: s.transport ?? 'ssh', groups: h.groups, tags: s.tags ?? [], source: h.source}
    if (user !== undefined) spec.user = user
    if (s.knownHostsFiles) spec.knownHostsFiles = expanded(s.knownHostsFiles)
    else if (ssh?.userKnownHostsFiles) spec.knownHostsFiles = ssh.userKnownHostsFiles.map((f) => expandSshTokens(f, tokenContext(home, localUser, address, user, port, h.name)))
    if (s.role !== undefined) spec.role = s.role
    if (s.connectTimeoutS !== undefined) spec.connectTimeoutS = s.connectTimeoutS
    if (s.commandTimeoutS !== undefined) spec.commandTimeoutS = s.commandTimeoutS
    if (s.passwordEnv !== undefined) spec.passwordEnv = s.passwordEnv
    if (s.unit !== undefined) spec.unit = s.unit
    if (h.references) spec.references = h.references
    const explicit = s.identityFiles && spec.transport !== 'local' ? configuredOnce(h, identityFiles) : undefined
    if (explicit) spec.configuredIdentityFiles = explicit.list
    if (h.warnings?.length || explicit?.warnings.length) spec.warnings = [...(h.warnings ?? []).map(intern), ...(explicit?.warnings ?? [])]
    const jump = s.proxyJump ?? (s.proxyHops ? undefined : ssh?.proxyJump)
    if (jump !== undefined) proxyRaw.set(h.name, jump)
    return spec
  }
  const specs = draft.hosts.map(base)
  /** Each host's spec by name, for ProxyJump targets (made at the first one). */
  let byName: Map<string, HostSpec> | undefined
  const bases = () => (byName ??= new Map(specs.map((spec) => [spec.name, spec])))

  const hosts: HostSpec[] = []
  for (const [i, h] of draft.hosts.entries()) {
    const spec = specs[i]!
    const raw = proxyRaw.get(h.name)
    let hops: HostHop[] | undefined = h.settings.proxyHops
    if (raw !== undefined && spec.transport === 'ssh') {
      const where = h.origins.proxyJump ?? {...h.source, path: ''}
      const fail = (problem: string, hint?: string) => errors.push(new ConfigError(where.file, where.line, where.column, where.path, problem, hint))
      try {
        hops = parseProxyJump(raw).map((hop) => {
          const target = bases().get(hop.host)
          if (target) {
            if (hop.host === h.name) throw new SelfJumpError(h.name)
            return {host: target.address, port: hop.port ?? target.port, ...(hop.user ?? target.user ? {user: hop.user ?? target.user} : {}), alias: hop.host}
          }
          if (looksLikeAlias(hop.host) && !options.sshConfig?.knowsAlias(hop.host))
            throw new AliasError(hop.host, didYouMean(hop.host, bases().keys()))
          return {host: hop.host, ...(hop.port ? {port: hop.port} : {}), ...(hop.user ? {user: hop.user} : {})}
        })
      } catch (error) {
        if (error instanceof SelfJumpError) fail(`makes host '${h.name}' jump through itself`, `give '${h.name}' its own 'proxyJump: none'`)
        else if (error instanceof AliasError)
          fail(`names '${error.alias}', which is not a host of this inventory (for host '${h.name}')`, error.hint ?? `add '${error.alias}' as a host, or write its full name or address`)
        else fail(`${(error as Error).message} (for host '${h.name}')`, "write it as OpenSSH does: '[user@]host[:port][,…]'")
        continue
      }
      if (hops.length === 0) hops = undefined // ProxyJump none
    }
    if (hops) spec.proxyJump = hops
    hosts.push(spec)
  }
  // errors about a setting inherited by many hosts are reported once
  const unique = [...new Map(errors.map((e) => [`${e.file}:${e.line}:${e.column} ${e.problem.replace(/ \(for host .*\)$/, '')}`, e])).values()]
  if (unique.length) return {errors: unique}
  return {inventory: {hosts, groups: draft.groups}, errors: []}
}

/** What ssh_config's tokens (%h %r %p…) expand to for one host (built only where ssh_config's files are used). */
function tokenContext(home: string, localUser: string, host: string, user: string | undefined, port: number, alias: string) {
  return {home, localUser, host, remoteUser: user ?? localUser, port, alias}
}

/** Whether a path names a regular file, each path checked once (many hosts share a key). */
function fileCheck(): (file: string) => boolean {
  const known = new Map<string, boolean>()
  return (file) => {
    let ok = known.get(file)
    if (ok === undefined) {
      try {
        ok = statSync(file).isFile()
      } catch {
        ok = false
      }
      known.set(file, ok)
    }
    return ok
  }
}

class AliasError extends Error {
  constructor(
    readonly alias: string,
    readonly hint: string | undefined,
  ) {
    super(alias)
  }
}

class SelfJumpError extends Error {}
