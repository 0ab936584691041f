import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, needs, parsePairs, toInt} from './kit/probe-helpers.js'
import {disksSection, type Disk, type DiskKind} from '../src/model/sections/disks.js'

/** Block devices that are not disks of the machine: RAM disks, compressed swap, loop and network block devices. */
export const NOT_A_DISK = /^(zram|ram|loop|nbd|fd|md|dm-|zd)\d*/

const VIRTUAL_MODEL = /^(QEMU|VBOX|Virtual disk|Virtual Disk|VMware|VMW|Msft|XENSRC|Xen|Google PersistentDisk|Amazon Elastic Block Store|BlockVolume)\b/i

/** What kind of disk this is, from name, transport, rotation, model and the kernel subsystems behind it. */
export function diskKind(d: {name: string; transport?: string; rotational?: boolean; model?: string; vendor?: string; subsystems?: string; type?: string}): DiskKind {
  if (d.type === 'rom' || /^sr\d/.test(d.name)) return 'optical'
  if (d.transport === 'nvme' || /^nvme\d/.test(d.name)) {
    return /Amazon Elastic Block Store|Google|Virtual|QEMU/i.test(d.model ?? '') ? 'virtual' : 'nvme'
  }
  if (/^(vd|xvd)[a-z]/.test(d.name) || /(^|:)(virtio|xen)(:|$)/.test(d.subsystems ?? '')) return 'virtual'
  if (VIRTUAL_MODEL.test(d.model ?? '') || /^(QEMU|VMware|Msft|VBOX|Xen)\b/i.test(d.vendor ?? '')) return 'virtual'
  if (d.transport === 'mmc' || /^mmcblk\d/.test(d.name)) return 'mmc'
  if (d.rotational === true) return 'hdd'
  if (d.rotational === false) return 'ssd'
  return 'unknown'
}

function bool01(v: string | undefined): boolean | undefined {
  return v === '1' ? true : v === '0' ? false : undefined
}

/** Parses `lsblk -P -b -d -o NAME,TYPE,SIZE,ROTA,RM,RO,MODEL,SERIAL,VENDOR,TRAN,WWN,REV[,SUBSYSTEMS]`: whole disks only. */
export function parseLsblkDisks(text: string): Disk[] {
  const disks: Disk[] = []
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const p = parsePairs(line)
    const name = p.get('NAME')
    const type = p.get('TYPE')
    const size = toInt(p.get('SIZE'))
    if (!name || !type || !/^[^\s/]+$/.test(name)) throw new ParseError('expected NAME="…" TYPE="…" pairs', i + 1)
    if (type !== 'disk' && type !== 'rom') continue
    if (NOT_A_DISK.test(name)) continue
    if (size === undefined || size < 0) throw new ParseError(`no size for ${name}`, i + 1)
    const text = (k: string) => {
      const v = p.get(k)?.trim().replace(/\s+/g, ' ')
      return v ? v : undefined
    }
    const d: Disk = {name, sizeBytes: size, kind: 'unknown'}
    const set = (k: 'model' | 'serial' | 'vendor' | 'transport' | 'wwn' | 'firmware', v: string | undefined) => {
      if (v !== undefined) d[k] = v
    }
    set('model', text('MODEL'))
    set('serial', text('SERIAL'))
    set('vendor', text('VENDOR'))
    set('transport', text('TRAN'))
    set('wwn', text('WWN'))
    set('firmware', text('REV'))
    const rota = bool01(p.get('ROTA'))
    if (rota !== undefined) d.rotational = rota
    const rm = bool01(p.get('RM'))
    if (rm !== undefined) d.removable = rm
    const ro = bool01(p.get('RO'))
    if (ro !== undefined) d.readOnly = ro
    d.kind = diskKind({...d, type, ...(p.has('SUBSYSTEMS') ? {subsystems: p.get('SUBSYSTEMS')!} : {})})
    disks.push(d)
  }
  return disks
}

const COLUMNS = 'NAME,TYPE,SIZE,ROTA,RM,RO,MODEL,SERIAL,VENDOR,TRAN,WWN,REV'

export const disksProbe = defineProbe({
  section: disksSection,
  platforms: ['Linux'],
  commands: {
    // SUBSYSTEMS came with util-linux 2.33; older lsblk refuses the column, so ask again without it
    lsblk: needs('lsblk', `lsblk -P -b -d -o ${COLUMNS},SUBSYSTEMS 2>/dev/null || lsblk -P -b -d -o ${COLUMNS}`),
  },
  interpret(out) {
    const fail = failure(out.lsblk, 'lsblk')
    if (fail) return fail
    return {status: 'ok', data: {disks: parseLsblkDisks(out.lsblk!.stdout)}}
  },
})
