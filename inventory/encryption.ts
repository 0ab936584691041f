import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, parsePairs} from './kit/probe-helpers.js'
import {encryptionSection, type EncryptionData} from '../src/model/sections/encryption.js'

interface BlockEntry {
  name: string
  kname: string
  type: string
  fstype: string
  mountpoint: string
  pkname: string
}

/**
 * Parses the `lsblk` command: `lsblk -P -o NAME,KNAME,TYPE,FSTYPE,MOUNTPOINT,PKNAME`, then `--- swaps`
 * and /proc/swaps, then optionally `--- crypttab` and "NAME DEVICE" lines.
 */
export function parseEncryption(text: string): {data: EncryptionData; fstypesMissing: boolean} {
  const entries: BlockEntry[] = []
  const swapLines: string[] = []
  const crypttab: {name: string; device: string}[] = []
  let section = 'lsblk'
  let sawCrypttab = false
  let sawSwaps = false
  let n = 0
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '--- swaps' || line === '--- crypttab') {
      section = line.slice(4)
      if (section === 'crypttab') sawCrypttab = true
      else sawSwaps = true
      continue
    }
    if (line === '') continue
    if (section === 'lsblk') {
      const p = parsePairs(line)
      if (!p.has('NAME') || !p.has('TYPE')) throw new ParseError('not an lsblk -P line', n)
      entries.push({
        name: p.get('NAME')!,
        kname: p.get('KNAME') ?? p.get('NAME')!,
        type: p.get('TYPE')!,
        fstype: p.get('FSTYPE') ?? '',
        mountpoint: p.get('MOUNTPOINT') ?? '',
        pkname: p.get('PKNAME') ?? '',
      })
    } else if (section === 'swaps') {
      if (!/^Filename\s/.test(line)) swapLines.push(line)
    } else {
      const [name, device] = line.split(/\s+/)
      if (name && device) crypttab.push({name, device})
    }
  }
  if (!sawSwaps) throw new ParseError('no "--- swaps" section')

  const byKname = new Map<string, BlockEntry[]>()
  for (const e of entries) byKname.set(e.kname, [...(byKname.get(e.kname) ?? []), e])
  const encryptedBelow = (kname: string, seen = new Set<string>()): boolean => {
    if (seen.has(kname)) return false
    seen.add(kname)
    const es = byKname.get(kname) ?? []
    if (es.some((e) => e.type === 'crypt')) return true
    return es.some((e) => e.pkname !== '' && encryptedBelow(e.pkname, seen))
  }

  const mappings: EncryptionData['mappings'] = []
  for (const e of entries.filter((x) => x.type === 'crypt')) {
    let m = mappings.find((x) => x.name === e.name)
    if (!m) mappings.push((m = {name: e.name, backingDevices: [], ...(e.mountpoint ? {mountpoint: e.mountpoint} : {})}))
    if (e.pkname && !m.backingDevices.includes(e.pkname)) m.backingDevices.push(e.pkname)
  }
  const luksDevices: EncryptionData['luksDevices'] = []
  for (const e of entries.filter((x) => x.fstype === 'crypto_LUKS')) {
    if (luksDevices.some((l) => l.name === e.name)) continue
    luksDevices.push({name: e.name, open: entries.some((c) => c.type === 'crypt' && c.pkname === e.kname)})
  }

  const data: EncryptionData = {mappings, luksDevices, swap: []}
  if (sawCrypttab) data.crypttab = crypttab
  const root = entries.find((e) => e.mountpoint === '/')
  if (root) {
    data.rootDevice = root.name
    data.rootEncrypted = encryptedBelow(root.kname)
  }

  const mounted = entries.filter((e) => e.mountpoint.startsWith('/'))
  for (const l of swapLines) {
    const [path, kind] = l.split(/\s+/)
    if (!path || !kind) continue
    const dev = path.replace(/\\040/g, ' ')
    let entry: BlockEntry | undefined
    if (dev.startsWith('/dev/')) {
      const base = dev.replace(/^\/dev\/(mapper\/)?/, '')
      entry = entries.find((e) => e.kname === base || e.name === base)
    } else {
      // a swap file: the device of the longest mountpoint containing it
      entry = mounted
        .filter((e) => dev === e.mountpoint || dev.startsWith(e.mountpoint === '/' ? '/' : `${e.mountpoint}/`))
        .sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0]
    }
    const inMemory = /^\/dev\/zram\d+$/.test(dev)
    data.swap.push({path: dev, kind, inMemory, ...(entry ? {encrypted: encryptedBelow(entry.kname)} : {})})
  }
  const onDisk = data.swap.filter((s) => !s.inMemory)
  if (onDisk.length > 0 && onDisk.every((s) => s.encrypted !== undefined)) data.swapEncrypted = onDisk.every((s) => s.encrypted)

  // without udev's database a non-root lsblk cannot read signatures: disks and partitions show no FSTYPE
  const fstypesMissing = entries.some((e) => e.type === 'part' && e.fstype === '')
  return {data, fstypesMissing}
}

export const encryptionProbe = defineProbe({
  section: encryptionSection,
  platforms: ['Linux'],
  commands: {
    lsblk: [
      'command -v lsblk >/dev/null 2>&1 || exit 127',
      'lsblk -P -o NAME,KNAME,TYPE,FSTYPE,MOUNTPOINT,PKNAME || exit $?',
      // read by the shell (a cat less): a line at a time, each printed with its newline
      "echo '--- swaps'; while IFS= read -r _l || [ -n \"$_l\" ]; do printf '%s\\n' \"$_l\"; done < /proc/swaps",
      "[ -r /etc/crypttab ] && { echo '--- crypttab'; awk '!/^[[:space:]]*(#|$)/ {print $1, $2}' /etc/crypttab; }; exit 0",
    ].join('\n'),
  },
  interpret(out, context) {
    const fail = failure(out.lsblk, 'lsblk')
    if (fail) return fail
    const {data, fstypesMissing} = parseEncryption(out.lsblk!.stdout)
    if (fstypesMissing && !context.privileged) return {status: 'partial', reason: 'needs root: LUKS headers (partition signatures unreadable without udev)', data}
    return {status: 'ok', data}
  },
})
