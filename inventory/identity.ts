import {parseHostPublicKeys, hostPublicKeys} from './kit/host-public-keys.js'
import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, readFirstLine, succeeded} from './kit/probe-helpers.js'
import {appSpecificId, identitySection, UUID_PATTERN, type IdentityData} from '../src/model/sections/identity.js'
import {dmiValue} from './system.js'

const HOST_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/
const isHostName = (name: string) => name.split('.').every((l) => HOST_LABEL.test(l))

export interface Names {
  /** Absent when the node name is empty or holds blanks or control characters. */
  hostname?: string
  fqdn?: string
  /** What was odd, naming the line: the section is then partial, the rest of it kept. */
  problems: string[]
}

/**
 * Parses the `names` command: line 1 `uname -n`, then the lines of /etc/hosts. The FQDN is the canonical
 * name (first after the address) of a line that lists the host name, when it is dotted and starts with the
 * host's short name, as `hostname -f` would find it through the files database. An odd node name is flagged,
 * not fatal: one that is no DNS name (`web_01.`, `db 1`) is kept as the kernel has it but gets no FQDN; one
 * that is empty or holds blanks or control characters is left out.
 */
export function parseNames(text: string): Names {
  const [first, ...hosts] = lines(text)
  if (first === undefined) throw new ParseError('no output: expected the node name on the first line')
  const quoted = JSON.stringify(first.slice(0, 80))
  const hostname = first.trim()
  if (hostname === '' || /[\s\p{Cc}]/u.test(hostname)) {
    const what = hostname === '' ? 'is empty' : `${quoted} holds blanks or control characters`
    return {problems: [`uname -n line 1: the node name ${what}, left out: host name, FQDN`]}
  }
  if (!isHostName(hostname)) return {hostname, problems: [`uname -n line 1: the node name ${quoted} is not a DNS name, kept as it is: FQDN`]}
  const short = hostname.split('.')[0]!
  if (hostname.includes('.')) return {hostname, fqdn: hostname, problems: []}
  for (const raw of hosts) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/)
    if (fields.length < 2) continue
    const names = fields.slice(1)
    if (!names.includes(hostname)) continue
    const canonical = names[0]!
    if (canonical.includes('.') && canonical.split('.')[0] === short && isHostName(canonical)) return {hostname, fqdn: canonical, problems: []}
    const dotted = names.find((n) => n.startsWith(`${short}.`) && isHostName(n))
    if (dotted) return {hostname, fqdn: dotted, problems: []}
  }
  return {hostname, problems: []}
}

/**
 * Parses a machine-id file (32 hex digits; an uninitialized id, empty or "uninitialized", is unknown) into hatang's
 * app-specific id of it: the raw id never leaves this function.
 */
export function parseMachineAppId(text: string): string | undefined {
  const v = text.trim().toLowerCase()
  if (v === '' || v === 'uninitialized') return undefined
  if (!/^[0-9a-f]{32}$/.test(v)) throw new ParseError('machine-id is not 32 hex digits', 1)
  return appSpecificId(v)
}

export interface HostKey {
  file: string
  type: string
  fingerprint: string
}

/** Parses the host public keys (the shared hostPublicKeys command, kit/host-public-keys.ts) as identity keeps them. */
export function parseHostKeyFiles(text: string): HostKey[] {
  return parseHostPublicKeys(text).map(({file, type, fingerprint}) => ({file, type, fingerprint}))
}

export interface IdentityDmi {
  uuid?: string
  serial?: string
  denied: string[]
  /** Files that were read. */
  read: string[]
}

/** Parses the `dmi` command: `product_uuid:VALUE` / `product_serial:VALUE`, or `FILE:!denied`. */
export function parseIdentityDmi(text: string): IdentityDmi {
  const r: IdentityDmi = {denied: [], read: []}
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const m = /^(product_uuid|product_serial):(.*)$/.exec(line)
    if (!m) throw new ParseError('expected product_uuid: or product_serial:', i + 1)
    const [, file, value] = m
    if (value === '!denied') {
      r.denied.push(file!)
      continue
    }
    r.read.push(file!)
    if (file === 'product_uuid') {
      const u = value!.trim().toLowerCase()
      if (new RegExp(UUID_PATTERN).test(u) && dmiValue(u) !== undefined) r.uuid = u
    } else {
      const s = dmiValue(value)
      if (s !== undefined) r.serial = s
    }
  }
  return r
}

export const identityProbe = defineProbe({
  section: identitySection,
  platforms: ['Linux'],
  grouped: true,
  commands: {
    // the kernel's host name as uname -n prints it, read by the shell itself
    names: `{ ${readFirstLine('/proc/sys/kernel/hostname')}; } 2>/dev/null || uname -n; [ -r /etc/hosts ] && grep -v '^[[:space:]]*#' /etc/hosts; return 0`,
    machineId: `for f in /etc/machine-id /var/lib/dbus/machine-id; do if [ -s "$f" ] && [ -r "$f" ]; then ${readFirstLine('"$f"')}; return; fi; done; return 3`,
    // by full paths: a cd would stay for the commands after it (one shell, ProbeSpec.grouped)
    dmi: [
      '_d=/sys/class/dmi/id; { [ -d $_d ] && [ -x $_d ]; } || return 3',
      `for f in product_uuid product_serial; do if [ ! -e "$_d/$f" ]; then :; elif [ -r "$_d/$f" ]; then printf '%s:' "$f"; ${readFirstLine('"$_d/$f"')}; else echo "$f:!denied"; fi; done`,
    ].join('; '),
  },
  // read once a host: sshd reads the same keys
  shared: {hostKeys: hostPublicKeys},
  interpret(out) {
    const fail = failure(out.names, 'uname -n')
    if (fail) return fail
    const names = parseNames(out.names!.stdout)
    const data: IdentityData = {...(names.hostname ? {hostname: names.hostname} : {}), ...(names.fqdn ? {fqdn: names.fqdn} : {})}
    const missing: string[] = [...names.problems]
    if (succeeded(out.machineId)) {
      const id = parseMachineAppId(out.machineId.stdout)
      if (id) data.machineAppId = id
      else missing.push('not present: machine ID (uninitialized)')
    } else {
      const f = failure(out.machineId, 'machine ID')
      if (f?.reason) missing.push(f.reason.replace(/^machine ID: (.*)$/, '$1: machine ID'))
    }
    if (out.dmi?.ran && out.dmi.exitCode === 3) {
      missing.push('no DMI: system UUID, serial')
    } else if (succeeded(out.dmi)) {
      const dmi = parseIdentityDmi(out.dmi.stdout)
      if (dmi.uuid) data.systemUuid = dmi.uuid
      if (dmi.serial) data.serial = dmi.serial
      if (dmi.denied.length > 0) missing.push(`needs root: ${dmi.denied.map((f) => (f === 'product_uuid' ? 'system UUID' : 'serial')).join(', ')}`)
    } else {
      const f = failure(out.dmi, 'DMI')
      if (f?.reason) missing.push(f.reason.replace(/^DMI: (.*)$/, '$1: system UUID, serial'))
    }
    if (succeeded(out.hostKeys)) {
      const keys = parseHostKeyFiles(out.hostKeys.stdout)
      if (keys.length > 0) data.sshHostKeys = keys
    } else if (out.hostKeys) {
      const f = failure(out.hostKeys, 'SSH host keys')
      if (f?.reason) missing.push(f.reason)
    }
    return missing.length > 0 ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
