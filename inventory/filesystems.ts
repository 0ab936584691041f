import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, needs, parsePairs, succeeded, toInt} from './kit/probe-helpers.js'
import {parsePersistedMounts, PERSISTED_MOUNTS_COMMAND} from './fstab.js'
import {filesystemsSection, type FilesystemsData, type Mount} from '../src/model/sections/filesystems.js'

const PSEUDO = new Set([
  'proc', 'sysfs', 'cgroup', 'cgroup2', 'tmpfs', 'devtmpfs', 'devpts', 'mqueue', 'debugfs', 'tracefs', 'securityfs',
  'pstore', 'bpf', 'configfs', 'fusectl', 'hugetlbfs', 'autofs', 'binfmt_misc', 'efivarfs', 'ramfs', 'rpc_pipefs',
  'nsfs', 'selinuxfs', 'nfsd', 'fuse.gvfsd-fuse', 'fuse.portal', 'fuse.lxcfs', 'devfs', 'usbfs',
])

const NETWORK = /^(nfs\d?|cifs|smb3?|smbfs|ncpfs|afs|9p|ceph|glusterfs|fuse\.(sshfs|glusterfs|s3fs|rclone|ceph.*)|lustre|gpfs|beegfs|davfs|fuse\.davfs2?)$/

export function isPseudoFs(fstype: string): boolean {
  return PSEUDO.has(fstype)
}

export function isNetworkFs(fstype: string): boolean {
  return NETWORK.test(fstype)
}

/** Parses `findmnt -P -o TARGET,SOURCE,FSTYPE,OPTIONS` (every mount, \x escapes decoded). */
export function parseFindmnt(text: string): Mount[] {
  const mounts: Mount[] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const p = parsePairs(line)
    const target = p.get('TARGET')
    const fstype = p.get('FSTYPE')
    if (!target || fstype === undefined) throw new ParseError('expected TARGET="…" … FSTYPE="…" pairs', i + 1)
    const options = (p.get('OPTIONS') ?? '').split(',').filter(Boolean)
    mounts.push({
      target,
      source: p.get('SOURCE') ?? '',
      fstype,
      options,
      readOnly: options.includes('ro'),
      pseudo: isPseudoFs(fstype),
      network: isNetworkFs(fstype),
    })
  }
  if (mounts.length === 0) throw new ParseError('findmnt listed no mounts')
  return mounts
}

export interface Usage {
  sizeBytes?: number
  usedBytes?: number
  availableBytes?: number
  inodesTotal?: number
  inodesUsed?: number
}

/**
 * Parses the `usage` command: GNU `df -B1 --output=itotal,iused,size,used,avail,target`, or, where df has no
 * --output, `df -P -k` (no inode counts). Keyed by mount point; the last line for a point wins (the mount on top).
 */
export function parseDfUsage(text: string): Map<string, Usage> {
  const all = lines(text)
  const header = all.findIndex((l) => l.trim() !== '')
  if (header < 0) throw new ParseError('df printed nothing')
  const h = all[header]!.trim()
  const gnu = /^Inodes\s+IUsed\s+1B-blocks\s+Used\s+Avail\s+Mounted on$/.test(h)
  const posix = /^Filesystem\s+1024-blocks\s+Used\s+Available\s+Capacity\s+Mounted on$/.test(h)
  if (!gnu && !posix) throw new ParseError('unexpected df header', header + 1)
  const usage = new Map<string, Usage>()
  const num = (s: string | undefined, scale = 1) => {
    const n = toInt(s)
    return n === undefined || n < 0 || !Number.isSafeInteger(n * scale) ? undefined : n * scale
  }
  for (const line of all.slice(header + 1)) {
    if (gnu) {
      const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+) (.+)$/.exec(line)
      if (!m || !m[6]!.startsWith('/')) continue
      const u: Usage = {}
      const set = (k: keyof Usage, v: number | undefined) => {
        if (v !== undefined) u[k] = v
      }
      set('inodesTotal', num(m[1]))
      set('inodesUsed', num(m[2]))
      set('sizeBytes', num(m[3]))
      set('usedBytes', num(m[4]))
      set('availableBytes', num(m[5]))
      // filesystems without inodes (btrfs, vfat) say 0 or "-": unknown, not none
      if (u.inodesTotal === 0) {
        delete u.inodesTotal
        delete u.inodesUsed
      }
      usage.set(m[6]!, u)
    } else {
      const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\/.*)$/.exec(line)
      if (!m) continue
      const u: Usage = {}
      const size = num(m[2], 1024)
      const used = num(m[3], 1024)
      const avail = num(m[4], 1024)
      if (size !== undefined) u.sizeBytes = size
      if (used !== undefined) u.usedBytes = used
      if (avail !== undefined) u.availableBytes = avail
      usage.set(m[6]!, u)
    }
  }
  return usage
}

/** Adds usage to the mounts: to the last (visible) mount of each mount point, never to a network one. */
export function mergeUsage(mounts: Mount[], usage: ReadonlyMap<string, Usage>): Mount[] {
  const lastIndex = new Map<string, number>()
  mounts.forEach((m, i) => lastIndex.set(m.target, i))
  return mounts.map((m, i) => {
    const u = usage.get(m.target)
    if (!u || lastIndex.get(m.target) !== i || m.network) return m
    return {...m, ...u}
  })
}

export const filesystemsProbe = defineProbe({
  section: filesystemsSection,
  platforms: ['Linux'],
  weight: 2,
  grouped: true,
  commands: {
    // findmnt reads /proc/self/mountinfo and stats nothing, so a hung NFS server cannot stall the list
    mounts: needs('findmnt', 'findmnt -P -o TARGET,SOURCE,FSTYPE,OPTIONS', 'return'),
    // -l: local filesystems only, never statfs() on a network mount
    usage: 'df -B1 -l -a --output=itotal,iused,size,used,avail,target 2>/dev/null || df -P -k -l -a',
    persisted: PERSISTED_MOUNTS_COMMAND,
  },
  interpret(out) {
    const fail = failure(out.mounts, 'findmnt')
    if (fail) return fail
    const mounts = parseFindmnt(out.mounts!.stdout)
    // what the next boot mounts: /etc/fstab and systemd's tmp.mount
    const persisted: Omit<FilesystemsData, 'mounts'> = succeeded(out.persisted) ? parsePersistedMounts(out.persisted.stdout) : {}
    const unsure = [
      ...(succeeded(out.persisted) ? [] : [failure(out.persisted, '/etc/fstab')?.reason ?? '/etc/fstab']),
      ...(persisted.persistedUnreadable?.length ? [`cannot read ${persisted.persistedUnreadable.join(', ')}`] : []),
    ]
    const withPersisted = (status: 'ok' | 'partial', reasons: string[], data: Mount[]) => {
      const all = [...reasons, ...unsure]
      return all.length ? {status: 'partial' as const, reason: all.join('; '), data: {mounts: data, ...persisted}} : {status, data: {mounts: data, ...persisted}}
    }
    const u = out.usage
    // df exits 1 when one mount cannot be measured (permission denied) but still prints the others
    const printed = u?.ran && !u.timedOut && u.exitCode !== 127 && u.stdout.trim() !== ''
    if (!printed) {
      const f = failure(u, 'df')
      return withPersisted('partial', [`${f?.reason ?? 'df: printed nothing'}: sizes and inodes`], mounts)
    }
    const merged = mergeUsage(mounts, parseDfUsage(u.stdout))
    const network = merged.filter((m) => m.network).map((m) => m.target)
    if (network.length > 0) {
      return withPersisted('partial', [`not measured: size of network filesystems (${network.slice(0, 5).join(', ')}${network.length > 5 ? ', …' : ''})`], merged)
    }
    return withPersisted('ok', [], merged)
  },
})
