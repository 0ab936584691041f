import {numberedFilesCommand, parseNumberedFiles, type NumberedFile} from './kit/numbered-files.js'
import {normaliseSysctlValue} from '../src/model/sections/sysctl.js'

/**
 * Kernel parameters as the next boot would set them: the `*.conf` files of these folders, a file name in an earlier
 * folder masking the same name in later ones (a link to /dev/null masks it entirely), every file read in the order
 * of its name, then /etc/sysctl.conf last (procps `sysctl --system`; systemd-sysctl reads the same folders, and on
 * Debian /etc/sysctl.d/99-sysctl.conf links to /etc/sysctl.conf). The last value set wins.
 */
export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'] as const
export const SYSCTL_CONF = '/etc/sysctl.conf'

/** The files of the boot's folders and /etc/sysctl.conf, numbered (kit/numbered-files.ts). */
export const PERSISTED_COMMAND = numberedFilesCommand([...SYSCTL_DIRS.map((d) => `${d}/*.conf`), SYSCTL_CONF], 'return')

/** A file the boot may read (see kit/numbered-files.ts). */
export type SysctlFile = NumberedFile
export const parsePersistedFiles = parseNumberedFiles

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1)

/** The files the boot reads, in its order: one per name (the first folder's), sorted by name, /etc/sysctl.conf last. */
export function bootOrder(files: readonly SysctlFile[]): SysctlFile[] {
  const byName = new Map<string, SysctlFile>()
  let conf: SysctlFile | undefined
  for (const f of files) {
    if (f.path === SYSCTL_CONF) conf = f
    else if (!byName.has(basename(f.path))) byName.set(basename(f.path), f)
  }
  const ordered = [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f)
  return [...ordered, ...(conf ? [conf] : [])].filter((f) => f.lines !== undefined || f.denied)
}

/** A key as sysctl.d(5) reads it: a key whose first separator is `/` has `/` and `.` swapped. */
export function normaliseKey(key: string): string {
  const slash = key.indexOf('/')
  const dot = key.indexOf('.')
  if (slash < 0 || (dot >= 0 && dot < slash)) return key
  return key.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'))
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end < 0) re += '\\['
      else {
        const body = glob.slice(i + 1, end)
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`.replace(/\\/g, '\\\\')
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

export interface PersistedValue {
  value: string
  file: string
  line: number
}

/**
 * The value each of `keys` would be set to at boot, with the file and line that sets it last. Lines are
 * `key = value`; `#` and `;` start comments; a leading `-` only ignores errors; a key with `*`, `?` or `[…]`
 * (systemd ≥ 239) sets every listed key it matches; a key starting with `!` (an exclusion) sets nothing.
 */
export function persistedValues(files: readonly SysctlFile[], keys: readonly string[]): Record<string, PersistedValue> {
  const out: Record<string, PersistedValue> = {}
  const known = new Set(keys)
  for (const f of files) {
    for (const {n, text} of f.lines ?? []) {
      const line = text.trim()
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
      const eq = line.indexOf('=')
      if (eq < 0) continue
      let key = line.slice(0, eq).trim()
      if (key.startsWith('-')) key = key.slice(1).trim()
      if (key === '' || key.startsWith('!')) continue
      key = normaliseKey(key)
      const set = {value: normaliseSysctlValue(line.slice(eq + 1)), file: f.path, line: n}
      if (/[*?[]/.test(key)) {
        const re = globToRegExp(key)
        for (const k of keys) if (re.test(k)) out[k] = set
      } else if (known.has(key)) out[key] = set
    }
  }
  return out
}
