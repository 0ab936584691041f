import {createHash} from 'node:crypto'

import type {Static} from '@sinclair/typebox'

import {ParseError} from '../src/collect/parse-error.js'
import {defineProbe} from '../src/collect/probe.js'
import {failure, lines, succeeded} from '../src/collect/probe-helpers.js'
import {Arr, Obj, Opt, Str} from '../src/model/schema-helpers.js'
import {dmiValue} from './system.js'

export const IdentitySchema = Obj({
  /** The kernel's node name (`uname -n`). */
  hostname: Str({minLength: 1}),
  /** Fully qualified name from /etc/hosts (no DNS query is made), when it is there. */
  fqdn: Opt(Str()),
  /** /etc/machine-id (or D-Bus's copy): 32 lowercase hex digits. */
  machineId: Opt(Str({pattern: '^[0-9a-f]{32}$'})),
  /** SMBIOS system UUID, lowercase. */
  systemUuid: Opt(Str({pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'})),
  /** SMBIOS system serial number. */
  serial: Opt(Str()),
  /**
   * SSH host public keys (/etc/ssh/ssh_host_*_key.pub, readable without root), each with its SHA256 fingerprint as
   * `ssh-keygen -lf` prints it. Identical ones across hosts betray cloned machines. Absent when none is readable.
   */
  sshHostKeys: Opt(Arr(Obj({file: Str(), type: Str(), fingerprint: Str({pattern: '^SHA256:[A-Za-z0-9+/]{43}$'})}))),
})
export type IdentityData = Static<typeof IdentitySchema>

const HOST_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/

/**
 * Parses the `names` command: line 1 `uname -n`, then the lines of /etc/hosts. The FQDN is the canonical
 * name (first after the address) of a line that lists the host name, when it is dotted and starts with the
 * host's short name, as `hostname -f` would find it through the files database.
 */
export function parseNames(text: string): {hostname: string; fqdn?: string} {
  const [first, ...hosts] = lines(text)
  const hostname = (first ?? '').trim()
  if (hostname === '' || /\s/.test(hostname) || !hostname.split('.').every((l) => HOST_LABEL.test(l))) {
    throw new ParseError('expected the node name on the first line', 1)
  }
  const short = hostname.split('.')[0]!
  if (hostname.includes('.')) return {hostname, fqdn: hostname}
  for (const raw of hosts) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/)
    if (fields.length < 2) continue
    const names = fields.slice(1)
    if (!names.includes(hostname)) continue
    const canonical = names[0]!
    if (canonical.includes('.') && canonical.split('.')[0] === short && canonical.split('.').every((l) => HOST_LABEL.test(l))) {
      return {hostname, fqdn: canonical}
    }
    const dotted = names.find((n) => n.startsWith(`${short}.`) && n.split('.').every((l) => HOST_LABEL.test(l)))
    if (dotted) return {hostname, fqdn: dotted}
  }
  return {hostname}
}

/** Parses a machine-id file: 32 hex digits (an uninitialized id, empty or "uninitialized", is unknown). */
export function parseMachineId(text: string): string | undefined {
  const v = text.trim().toLowerCase()
  if (v === '' || v === 'uninitialized') return undefined
  if (!/^[0-9a-f]{32}$/.test(v)) throw new ParseError('machine-id is not 32 hex digits', 1)
  return v
}

export interface HostKey {
  file: string
  type: string
  fingerprint: string
}

/** The SHA256 fingerprint of an OpenSSH public key blob (base64), as `ssh-keygen -lf` prints it: unpadded base64 of the digest. */
export function sshFingerprint(base64Blob: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(base64Blob, 'base64')).digest('base64').replace(/=+$/, '')}`
}

/**
 * Parses the `hostKeys` command: `==> FILE` then the file's line (`TYPE BASE64 [COMMENT]`), per key. The key type is
 * the one written inside the blob (the text before it can lie); a file that holds no key is skipped.
 */
export function parseHostKeyFiles(text: string): HostKey[] {
  const keys: HostKey[] = []
  let file: string | undefined
  for (const [i, line] of lines(text).entries()) {
    const head = /^==> (.+)$/.exec(line)
    if (head) {
      file = head[1]!
      continue
    }
    if (line.trim() === '' || line.startsWith('#')) continue
    if (file === undefined) throw new ParseError('expected ==> FILE before a key', i + 1)
    const [type, blob] = line.trim().split(/\s+/)
    if (!type || !blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw new ParseError(`${file}: expected TYPE BASE64 [COMMENT]`, i + 1)
    const raw = Buffer.from(blob, 'base64')
    const n = raw.length >= 4 ? raw.readUInt32BE(0) : -1
    const inner = n > 0 && n < 64 && raw.length >= 4 + n ? raw.subarray(4, 4 + n).toString('latin1') : undefined
    if (inner !== type) throw new ParseError(`${file}: the key blob does not hold a ${type} key`, i + 1)
    keys.push({file, type, fingerprint: sshFingerprint(blob)})
    file = undefined
  }
  return keys
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
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(u) && dmiValue(u) !== undefined) r.uuid = u
    } else {
      const s = dmiValue(value)
      if (s !== undefined) r.serial = s
    }
  }
  return r
}

export const identityProbe = defineProbe({
  id: 'identity',
  title: 'Identity',
  platforms: ['Linux'],
  schema: IdentitySchema,
  commands: {
    names: "uname -n; [ -r /etc/hosts ] && grep -v '^[[:space:]]*#' /etc/hosts; exit 0",
    machineId: 'for f in /etc/machine-id /var/lib/dbus/machine-id; do if [ -s "$f" ] && [ -r "$f" ]; then exec cat "$f"; fi; done; exit 3',
    dmi: [
      'cd /sys/class/dmi/id 2>/dev/null || exit 3',
      'for f in product_uuid product_serial; do if [ ! -e "$f" ]; then :; elif [ -r "$f" ]; then printf \'%s:\' "$f"; head -n1 "$f"; else echo "$f:!denied"; fi; done',
    ].join('; '),
    hostKeys: 'for f in /etc/ssh/ssh_host_*_key.pub; do [ -r "$f" ] || continue; printf \'==> %s\\n\' "$f"; head -n1 "$f"; done; exit 0',
  },
  interpret(out) {
    const fail = failure(out.names, 'uname -n')
    if (fail) return fail
    const names = parseNames(out.names!.stdout)
    const data: IdentityData = {hostname: names.hostname, ...(names.fqdn ? {fqdn: names.fqdn} : {})}
    const missing: string[] = []
    if (succeeded(out.machineId)) {
      const id = parseMachineId(out.machineId.stdout)
      if (id) data.machineId = id
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
