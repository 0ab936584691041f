import {hostPublicKeys, parseHostPublicKeys} from './kit/host-public-keys.js'
import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {deniedByPermissions, failure, lines, needs, notInstalled, printSmallFile, succeeded, toInt} from './kit/probe-helpers.js'
import {sshdSection, type SshdData, type SshdSettings} from '../src/model/sections/sshd.js'
import {CONFIG_FILE_PRELUDE, DAEMON_COMMAND, EFFECTIVE_COMMAND, parseSshdDaemon, readDaemonArguments, type DaemonArguments, type DaemonReading} from './sshd-daemon.js'

export interface SshVersion {
  version: string
  text: string
}

/** Reads the first OpenSSH banner out of `sshd -V` / `ssh -V` (both print on stderr; the command merges it). */
export function parseSshVersion(text: string): SshVersion {
  for (const l of lines(text)) {
    const m = /(?:^|\s)OpenSSH_([0-9][0-9A-Za-z.+~-]*?)(?:[, ]|$)/.exec(l)
    if (m) return {version: m[1]!, text: l.trim().slice(0, 200)}
  }
  throw new ParseError('no OpenSSH version banner')
}

/** Reads the versions printed by the `version` command: the server's banner, then the client's. */
export function pickSshVersion(text: string): SshVersion | undefined {
  const found: SshVersion[] = []
  for (const l of lines(text)) {
    try {
      found.push(parseSshVersion(l))
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
    }
  }
  const [server, client] = found
  if (!server) return undefined
  // `sshd -V` of 9.x prints "OpenSSH_9.2" without the portable suffix; the client of the same build says more.
  if (client && client.version.startsWith(server.version) && client.version.length > server.version.length) return client
  return server
}

/** Parses `sshd -T`: one `keyword value` a line, keywords lower-case, repeated keywords for lists. */
export function parseSshdT(text: string): SshdSettings {
  const settings: SshdSettings = {}
  let n = 0
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '') continue
    const m = /^([a-z0-9]+)(?:\s+(.*))?$/.exec(line)
    if (!m) throw new ParseError(`not a "keyword value" line: ${JSON.stringify(line.slice(0, 60))}`, n)
    ;(settings[m[1]!] ??= []).push((m[2] ?? '').trim())
  }
  if (Object.keys(settings).length === 0) throw new ParseError('sshd -T printed no settings')
  return settings
}

export interface SshdConfig {
  settings: SshdSettings
  files: string[]
  matchBlocks: {criteria: string; file: string; settings: SshdSettings}[]
}

const FILE_MARK = '==> '

/** Splits the `config` command's output into files: `==> PATH` heads each. */
function splitFiles(text: string): Map<string, string[]> {
  const files = new Map<string, string[]>()
  let current: string[] | undefined
  for (const l of lines(text)) {
    if (l.startsWith(FILE_MARK)) {
      const name = l.slice(FILE_MARK.length).trim()
      current = []
      if (name && !files.has(name)) files.set(name, current)
      continue
    }
    current?.push(l)
  }
  return files
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*'
    else if (ch === '?') re += '[^/]'
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Splits a configuration line's arguments as sshd does: whitespace, or "double quotes" around one. */
function splitArgs(text: string): string[] {
  const args: string[] = []
  const re = /"([^"]*)"|(\S+)/g
  for (const m of text.matchAll(re)) args.push(m[1] ?? m[2]!)
  return args
}

/** Keywords sshd accumulates instead of taking the first: every occurrence counts. */
const CUMULATIVE = new Set(['port', 'listenaddress', 'hostkey', 'acceptenv', 'subsystem', 'hostcertificate', 'setenv', 'permitopen', 'permitlisten', 'allowusers', 'allowgroups', 'denyusers', 'denygroups', 'authorizedkeysfile', 'channeltimeout'])

/**
 * Parses the `config` command's output (sshd_config and every file it includes, each headed `==> PATH`)
 * as sshd reads it: Include expands in place, the first value of a keyword wins, Match blocks are kept apart.
 * The daemon's command-line arguments are read first, as sshd does: its `-o` values win over the files' for a
 * single-valued keyword and come before them for a cumulative one (ListenAddress, AllowUsers, …); its `-p` ports
 * replace the files' Port lines.
 */
export function parseSshdConfig(text: string, main = '/etc/ssh/sshd_config', daemon: DaemonArguments = {overrides: [], ports: []}): SshdConfig {
  const files = splitFiles(text)
  const first = files.keys().next().value as string | undefined
  const root = files.has(main) ? main : first
  if (root === undefined) throw new ParseError('no configuration file in the output')
  const settings: SshdSettings = {}
  const matchBlocks: SshdConfig['matchBlocks'] = []
  const read: string[] = []
  const set = (target: SshdSettings, key: string, value: string) => {
    if (CUMULATIVE.has(key)) (target[key] ??= []).push(value)
    else if (!(key in target)) target[key] = [value]
  }
  if (daemon.ports.length > 0) settings.port = [...daemon.ports]
  for (const o of daemon.overrides) if (o.keyword !== 'match' && o.keyword !== 'include') set(settings, o.keyword, o.value)
  const walk = (file: string, depth: number) => {
    if (depth > 8 || read.includes(file)) return
    read.push(file)
    let block: SshdConfig['matchBlocks'][number] | undefined
    for (const raw of files.get(file) ?? []) {
      const line = raw.trim()
      if (line === '' || line.startsWith('#')) continue
      const m = /^([A-Za-z0-9]+)(?:\s*=\s*|\s+)?(.*)$/.exec(line)
      if (!m) continue
      const key = m[1]!.toLowerCase()
      const value = m[2]!.trim()
      if (key === 'match') {
        block = {criteria: value, file, settings: {}}
        matchBlocks.push(block)
        continue
      }
      if (key === 'include') {
        for (const pattern of splitArgs(value)) {
          const abs = pattern.startsWith('/') ? pattern : `/etc/ssh/${pattern}`
          const re = globToRegExp(abs)
          for (const f of [...files.keys()].filter((k) => re.test(k)).sort()) walk(f, depth + 1)
        }
        continue
      }
      if (key === 'port' && !block && daemon.ports.length > 0) continue
      set(block ? block.settings : settings, key, value)
    }
  }
  walk(root, 0)
  return {settings, files: read, matchBlocks}
}

/**
 * The host keys as the section keeps them, from the shared host public keys (kit/host-public-keys.ts): ssh-keygen's
 * type name, size and fingerprint, computed on the controller. Throws ParseError as parseHostPublicKeys does.
 */
export function parseHostKeys(text: string): {keys: NonNullable<SshdData['hostKeys']>; unknown: string[]} {
  const keys: NonNullable<SshdData['hostKeys']> = []
  const unknown: string[] = []
  for (const k of parseHostPublicKeys(text)) {
    if (k.bits === undefined || k.label === undefined) unknown.push(`${k.file} (${k.type})`)
    else keys.push({path: k.file, type: k.label, bits: k.bits, fingerprint: k.fingerprint})
  }
  return {keys, unknown}
}

/** OpenSSH's compiled-in defaults for the summary fields, stable since 7.4 (Debian 9, RHEL 7.4). */
const DEFAULTS: SshdSettings = {
  permitrootlogin: ['prohibit-password'],
  passwordauthentication: ['yes'],
  permitemptypasswords: ['no'],
  pubkeyauthentication: ['yes'],
  maxauthtries: ['6'],
  clientaliveinterval: ['0'],
  clientalivecountmax: ['3'],
  x11forwarding: ['no'],
  loglevel: ['INFO'],
  port: ['22'],
}

const yesNo = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : /^yes$/i.test(v) ? true : /^no$/i.test(v) ? false : undefined)
const list = (vs: string[] | undefined, sep: RegExp): string[] | undefined => (vs === undefined ? undefined : vs.flatMap((v) => v.split(sep)).filter(Boolean))

/** The typed summary fields of the settings. */
export function summarize(settings: SshdSettings): Partial<SshdData> {
  const one = (k: string) => settings[k]?.[0]
  const int = (k: string) => {
    const n = toInt(one(k))
    return n !== undefined && n >= 0 ? n : undefined
  }
  const root = one('permitrootlogin')?.toLowerCase()
  const ports = settings.port?.map((p) => toInt(p)).filter((p): p is number => p !== undefined && p >= 0 && p <= 65535)
  const s: Partial<SshdData> = {
    permitRootLogin: root === 'without-password' ? 'prohibit-password' : root,
    passwordAuthentication: yesNo(one('passwordauthentication')),
    permitEmptyPasswords: yesNo(one('permitemptypasswords')),
    pubkeyAuthentication: yesNo(one('pubkeyauthentication')),
    kbdInteractiveAuthentication: yesNo(one('kbdinteractiveauthentication') ?? one('challengeresponseauthentication')),
    maxAuthTries: int('maxauthtries'),
    clientAliveInterval: int('clientaliveinterval'),
    clientAliveCountMax: int('clientalivecountmax'),
    x11Forwarding: yesNo(one('x11forwarding')),
    logLevel: one('loglevel')?.toUpperCase(),
    ports: ports?.length ? ports : undefined,
    listenAddresses: list(settings.listenaddress, /\s+/),
    ciphers: list(settings.ciphers, /[,\s]+/),
    macs: list(settings.macs, /[,\s]+/),
    kexAlgorithms: list(settings.kexalgorithms, /[,\s]+/),
    allowUsers: list(settings.allowusers, /\s+/),
    allowGroups: list(settings.allowgroups, /\s+/),
    denyUsers: list(settings.denyusers, /\s+/),
    denyGroups: list(settings.denygroups, /\s+/),
  }
  for (const k of Object.keys(s) as (keyof typeof s)[]) if (s[k] === undefined || s[k] === '') delete s[k]
  return s
}

const CONFIG = '/etc/ssh/sshd_config'
// Prints the daemon's configuration file ($_C: its -f FILE, else sshd_config) and the files its Include lines name
// (two levels deep), each headed by "==> PATH".
const CONFIG_COMMAND = [
  CONFIG_FILE_PRELUDE,
  `[ -e "$_C" ] || return 3; [ -r "$_C" ] || return 4`,
  // the arguments of each Include line of the files given, quotes removed, by the shell's own read (as sed and tr would,
  // two programs and a pipe less a call): the line's leading blanks, then "include" in any case, then blanks or "="
  `_inc() { for _f in "$@"; do while IFS= read -r _l || [ -n "$_l" ]; do _l=\${_l#"\${_l%%[![:space:]]*}"}; case $_l in [Ii][Nn][Cc][Ll][Uu][Dd][Ee]*) _l=\${_l#???????}; _l=\${_l#"\${_l%%[![:space:]=]*}"}; _o=; while :; do case $_l in *\\"*) _o=$_o\${_l%%\\"*}; _l=\${_l#*\\"};; *) break;; esac; done; printf '%s\\n' "$_o$_l";; esac; done < "$_f"; done 2>/dev/null; }`,
  // each file's name on a line of its own, after a newline: a file whose last line has none would hide the next name
  `_cat() { for _p in $1; do case $_p in /*) ;; *) _p=/etc/ssh/$_p;; esac; for _f in $_p; do [ -f "$_f" ] && [ -r "$_f" ] && printf '\\n==> %s\\n' "$_f" && { ${printSmallFile('"$_f"')}; }; done; done; }`,
  `printf '==> %s\\n' "$_C"; ${printSmallFile('"$_C"')}`,
  `_l1=$(_inc "$_C"); _cat "$_l1"`,
  `_l2=$(for _p in $_l1; do case $_p in /*) ;; *) _p=/etc/ssh/$_p;; esac; for _f in $_p; do [ -r "$_f" ] && _inc "$_f"; done; done); _cat "$_l2"; return 0`,
].join('\n')

const UNUSED: Record<NonNullable<(DaemonReading & {found: true})['unused']>, string> = {
  uid: 'it does not run as root',
  control: 'it holds control or non-ASCII characters',
  title: 'it was rewritten without the arguments',
  unreadable: 'it cannot be read',
}

/** The section's account of the daemon read, and the arguments to read the files with. */
function daemonOf(reading: DaemonReading | undefined): {data: Pick<SshdData, 'running' | 'daemon'>; args: DaemonArguments; note?: string} {
  const none: DaemonArguments = {overrides: [], ports: []}
  if (reading === undefined) return {data: {}, args: none, note: 'the running sshd could not be told'}
  if (!reading.found) {
    if (reading.listeners <= 1) return {data: {running: false}, args: none}
    // several root listeners and no session or service to tell which: sshd runs, none was chosen (no `daemon`)
    return {data: {running: true}, args: none, note: `${reading.listeners} sshd listeners run and none was chosen: settings are ${CONFIG}'s`}
  }
  const args = readDaemonArguments(reading.arguments)
  const unused = reading.unused ? `its command line was not used: ${UNUSED[reading.unused]}` : undefined
  return {
    data: {
      running: true,
      daemon: {
        pid: reading.pid,
        source: reading.source,
        ...(reading.uid !== undefined ? {uid: reading.uid} : {}),
        ...(reading.executable !== undefined ? {executable: reading.executable} : {}),
        ...(args.configFile !== undefined ? {configFile: args.configFile} : {}),
        overrides: [...args.ports.map((value) => ({keyword: 'port', value})), ...args.overrides],
        ...(unused ? {argumentsUnused: unused} : {}),
      },
    },
    args,
    ...(unused ? {note: `sshd (pid ${reading.pid}): ${unused}; settings are the files' alone`} : {}),
  }
}

export const sshdProbe = defineProbe({
  section: sshdSection,
  platforms: ['Linux'],
  weight: 10,
  commands: {
    // sshd -V is recent (9.x): older ones print the banner above their usage, which is as good.
    version: needs('sshd', 'sshd -V 2>&1; ssh -V 2>&1; return 0', 'return'),
    // the listening daemon: its pid and the configuration arguments of its command line, which the next two use too
    daemon: DAEMON_COMMAND,
    effective: needs('sshd', EFFECTIVE_COMMAND, 'return'),
    config: CONFIG_COMMAND,
  },
  // four commands, one subshell (ProbeSpec.grouped): the daemon is found, and its command line read, once
  grouped: true,
  // the host keys' files, read once a host for identity and this section; their fingerprints are computed here
  shared: {hostKeys: hostPublicKeys},
  interpret(out) {
    if (notInstalled(out.version)) return {status: 'ok', data: {installed: false}}
    const fail = failure(out.version, 'sshd')
    if (fail) return fail
    const data: SshdData = {installed: true}
    const missing: string[] = []
    const v = pickSshVersion(out.version!.stdout)
    if (v) {
      data.version = v.version
      data.versionText = v.text
    } else missing.push('version')

    let reading: DaemonReading | undefined
    if (succeeded(out.daemon)) {
      try {
        reading = parseSshdDaemon(out.daemon.stdout)
      } catch (error) {
        if (!(error instanceof ParseError)) throw error
      }
    }
    const daemon = daemonOf(reading)
    Object.assign(data, daemon.data)
    if (daemon.note) missing.push(daemon.note)
    const main = daemon.args.configFile ?? CONFIG
    const config = succeeded(out.config) ? parseSshdConfig(out.config.stdout, main, daemon.args) : undefined
    if (config) {
      data.configFiles = config.files
      data.matchBlocks = config.matchBlocks
    }
    let settings: SshdSettings | undefined
    let needsRoot = false
    if (succeeded(out.effective) && out.effective.stdout.trim() !== '') {
      settings = parseSshdT(out.effective.stdout)
      data.source = 'sshd -T'
    } else {
      const why = out.effective
      // sshd -T refuses without readable host keys ("no hostkeys available"), i.e. without root
      needsRoot = deniedByPermissions(why) || /no hostkeys available|permission denied/i.test(why?.stderr ?? '')
      if (config) {
        settings = {...config.settings}
        const defaulted: string[] = []
        for (const [k, dv] of Object.entries(DEFAULTS)) {
          if (!(k in settings)) {
            settings[k] = dv
            defaulted.push(k)
          }
        }
        data.source = 'config'
        data.defaulted = defaulted
      }
      if (needsRoot) missing.push('needs root: effective settings (sshd -T)')
      else {
        const f = failure(why, 'sshd -T')
        missing.push(f?.reason ?? 'sshd -T: printed nothing')
      }
    }
    if (!config) missing.push(failure(out.config, main)?.reason ?? `${main}: printed nothing`)
    if (settings) {
      if (data.source === 'config') {
        const fromFiles: SshdSettings = {}
        for (const [k, vs] of Object.entries(settings)) if (!data.defaulted?.includes(k)) fromFiles[k] = vs
        data.settings = fromFiles
      } else data.settings = settings
      Object.assign(data, summarize(settings))
    }

    if (succeeded(out.hostKeys)) {
      try {
        const {keys, unknown} = parseHostKeys(out.hostKeys.stdout)
        data.hostKeys = keys
        if (unknown.length > 0) missing.push(`host key fingerprints: no size known for ${unknown.join(', ')}`)
      } catch (error) {
        if (!(error instanceof ParseError)) throw error
        missing.push(`host key fingerprints: ${error.message}`)
      }
    } else missing.push(failure(out.hostKeys, 'host key fingerprints')?.reason ?? 'host key fingerprints')

    // the standard phrase ("needs root: …") leads the reason
    missing.sort((a, b) => Number(b.startsWith('needs root')) - Number(a.startsWith('needs root')))
    if (!settings) return {status: needsRoot ? 'unavailable' : 'error', reason: missing.join('; '), data}
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
