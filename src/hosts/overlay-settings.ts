import type {HostSettings} from './draft.js'

/**
 * `over` layered on `base` (tags accumulate), in a new object, property by property in one order: this runs once
 * per host (an object spread and then added to is several times slower in V8). Every setting of HostSettings is
 * named here (OVERLAID makes a missing one a type error).
 */
export function overlaySettings(base: HostSettings, over: HostSettings): HostSettings {
  const out: HostSettings = {}
  const address = over.address ?? base.address
  if (address !== undefined) out.address = address
  const port = over.port ?? base.port
  if (port !== undefined) out.port = port
  const user = over.user ?? base.user
  if (user !== undefined) out.user = user
  const identityFiles = over.identityFiles ?? base.identityFiles
  if (identityFiles !== undefined) out.identityFiles = identityFiles
  const knownHostsFiles = over.knownHostsFiles ?? base.knownHostsFiles
  if (knownHostsFiles !== undefined) out.knownHostsFiles = knownHostsFiles
  const proxyJump = over.proxyJump ?? base.proxyJump
  if (proxyJump !== undefined) out.proxyJump = proxyJump
  const proxyHops = over.proxyHops ?? base.proxyHops
  if (proxyHops !== undefined) out.proxyHops = proxyHops
  const sudo = over.sudo ?? base.sudo
  if (sudo !== undefined) out.sudo = sudo
  const transport = over.transport ?? base.transport
  if (transport !== undefined) out.transport = transport
  const tags = over.tags === undefined ? base.tags : [...new Set([...(base.tags ?? []), ...over.tags])]
  if (tags !== undefined) out.tags = tags
  const role = over.role ?? base.role
  if (role !== undefined) out.role = role
  const connectTimeoutS = over.connectTimeoutS ?? base.connectTimeoutS
  if (connectTimeoutS !== undefined) out.connectTimeoutS = connectTimeoutS
  const commandTimeoutS = over.commandTimeoutS ?? base.commandTimeoutS
  if (commandTimeoutS !== undefined) out.commandTimeoutS = commandTimeoutS
  const passwordEnv = over.passwordEnv ?? base.passwordEnv
  if (passwordEnv !== undefined) out.passwordEnv = passwordEnv
  const unit = over.unit ?? base.unit
  if (unit !== undefined) out.unit = unit
  return out
}
const OVERLAID = ['address', 'port', 'user', 'identityFiles', 'knownHostsFiles', 'proxyJump', 'proxyHops', 'sudo', 'transport', 'tags', 'role', 'connectTimeoutS', 'commandTimeoutS', 'passwordEnv', 'unit'] as const
const _everySettingOverlaid: Exclude<keyof HostSettings, (typeof OVERLAID)[number]> extends never ? true : never = true
