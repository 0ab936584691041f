import {lstat, mkdir, open, readFile, unlink} from 'node:fs/promises'
import path from 'node:path'

import {checkHostKeyBlob} from './host-key.js'
import {asciiLower, hashKnownHostsName, knownHostsName, parseKnownHosts, type KnownHosts, type PresentedHostKey} from './known-hosts.js'
import {whyNotWritten} from './why-not-written.js'

/**
 * Reads and parses known_hosts files in order (as UserKnownHostsFile and GlobalKnownHostsFile). A missing file
 * is no entries; an unreadable one is a problem at line 0, never an exception.
 */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHosts> {
  const all: KnownHosts = {entries: [], problems: []}
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') continue
      const reason = `cannot read (${code ?? String(error)})`
      all.problems.push({file, line: 0, reason, message: `${file}: ${reason} — check its permissions`})
      continue
    }
    const parsed = parseKnownHosts(text, file)
    all.entries.push(...parsed.entries)
    all.problems.push(...parsed.problems)
  }
  return all
}

/** Characters that would make a host name into a pattern, a list, or break the line. */
const UNSAFE_HOST = /[\s,*?!#|@[\]\0]/u

/** A known_hosts file that could not be written: which file, and why in words (`read-only file system`). */
export class KnownHostsWriteError extends Error {
  override readonly name = 'KnownHostsWriteError'
  constructor(
    readonly file: string,
    readonly why: string,
    options?: {cause?: unknown},
  ) {
    super(`cannot write ${file}: ${why}`, options)
  }
}

/** A line recorded in a known_hosts file: its text (without newline) and its 1-based number there (as read just before). */
export interface RecordedKnownHost {
  line: string
  lineNumber: number
}

/**
 * Records a host key (for `--accept-new`, like StrictHostKeyChecking=accept-new): appends one line with
 * O_APPEND, never rewriting others' lines; creates the file 0600 and its folder 0700 when missing. Call it
 * only for a verdict that `acceptNewAllowed` allows. A file that cannot be written throws KnownHostsWriteError
 * and leaves nothing behind (a file it created is removed).
 */
export async function appendKnownHost(
  file: string,
  host: string,
  port: number,
  key: PresentedHostKey,
  options: {hash?: boolean; comment?: string} = {},
): Promise<RecordedKnownHost> {
  const name = asciiLower(host)
  if (name === '' || UNSAFE_HOST.test(name)) {
    throw new Error(`cannot record a host key for ${JSON.stringify(host)}: not a plain host name or address`)
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`cannot record a host key for port ${port}: not 1–65535`)
  const check = checkHostKeyBlob(key.blob)
  if (!check.ok) throw new Error(`cannot record the host key of ${knownHostsName(name, port)}: ${check.reason}`)
  const filed = knownHostsName(name, port)
  const hostField = options.hash ? hashKnownHostsName(filed) : filed
  const comment = options.comment?.replace(/[\r\n]+/g, ' ').trim()
  const line = `${hostField} ${check.type} ${key.blob.toString('base64')}${comment ? ` ${comment}` : ''}`

  let created = false
  try {
    await mkdir(path.dirname(path.resolve(file)), {recursive: true, mode: 0o700})
    const existed = await lstat(file).then(
      () => true,
      () => false,
    )
    const handle = await open(file, 'a+', 0o600)
    created = !existed
    try {
      // Do not glue our line onto a last line that lacks its newline.
      const text = await handle.readFile('utf8')
      const lead = text.length > 0 && !text.endsWith('\n') ? '\n' : ''
      const before = text.length === 0 ? 0 : text.split('\n').length - (lead === '' ? 1 : 0)
      await handle.write(`${lead}${line}\n`)
      await handle.sync()
      return {line, lineNumber: before + 1}
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (created) await unlink(file).catch(() => undefined) // only a file this call made
    throw new KnownHostsWriteError(file, whyNotWritten(file, error), {cause: error})
  }
}
