import {numberedFilesCommand, parseNumberedFiles, type NumberedFile} from './kit/numbered-files.js'
import type {FilesystemsData} from '../src/model/sections/filesystems.js'

/**
 * Mounts as the next boot makes them: /etc/fstab, and for /tmp systemd's tmp.mount where a unit file is installed
 * and not masked (the first of its folders that has it, then its drop-ins, the last Options= winning).
 */
export const FSTAB = '/etc/fstab'
const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system']
export const PERSISTED_MOUNTS_COMMAND = numberedFilesCommand([FSTAB, ...UNIT_DIRS.map((d) => `${d}/tmp.mount`), ...UNIT_DIRS.map((d) => `${d}/tmp.mount.d/*.conf`)], 'return')

type Persisted = Pick<FilesystemsData, 'fstab' | 'tmpMount' | 'persistedUnreadable'>

/** fstab(5) escapes spaces and such as octal (\040). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
/** A mount point as findmnt prints it: no trailing slash but for the root. */
const target = (s: string) => (s.length > 1 ? s.replace(/\/+$/, '') : s)

/** The fstab entries: `source target fstype options [dump [pass]]`, comments and blank lines skipped. */
export function parseFstab(file: NumberedFile): NonNullable<FilesystemsData['fstab']> {
  const entries: NonNullable<FilesystemsData['fstab']> = []
  for (const {n, text} of file.lines ?? []) {
    const line = text.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    if (fields.length < 3) continue
    entries.push({source: unescape(fields[0]!), target: target(unescape(fields[1]!)), fstype: fields[2]!, options: (fields[3] ?? 'defaults').split(',').filter(Boolean), line: n})
  }
  return entries
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1)

/** tmp.mount's Options= as systemd would use it, or undefined where no unit is installed (or it is masked). */
export function tmpMountOptions(files: readonly NumberedFile[]): FilesystemsData['tmpMount'] {
  const unit = files.find((f) => f.path.endsWith('/tmp.mount'))
  if (!unit || !unit.lines) return undefined
  // drop-ins: one per name (the first folder's), read in the order of their names
  const dropins = new Map<string, NumberedFile>()
  for (const f of files) if (f.path.includes('/tmp.mount.d/') && !dropins.has(basename(f.path))) dropins.set(basename(f.path), f)
  const ordered = [unit, ...[...dropins.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f)]
  let found: NonNullable<FilesystemsData['tmpMount']> = {file: unit.path, options: []}
  for (const f of ordered) {
    let section = ''
    for (const {n, text} of f.lines ?? []) {
      const line = text.trim()
      const header = /^\[(.+)\]$/.exec(line)
      if (header) section = header[1]!
      const m = /^Options\s*=\s*(.*)$/.exec(line)
      if (m && section === 'Mount') found = {file: f.path, line: n, options: m[1]!.split(',').map((o) => o.trim()).filter(Boolean)}
    }
  }
  return found
}

/** What PERSISTED_MOUNTS_COMMAND printed, as the section's fields. */
export function parsePersistedMounts(text: string): Persisted {
  const files = parseNumberedFiles(text)
  const fstab = files.find((f) => f.path === FSTAB)
  const out: Persisted = {fstab: fstab ? parseFstab(fstab) : []}
  const tmp = tmpMountOptions(files)
  if (tmp) out.tmpMount = tmp
  const denied = files.filter((f) => f.denied).map((f) => f.path)
  if (denied.length) out.persistedUnreadable = denied
  return out
}
