import {ParseError} from './kit/parse-error.js'
import {lines, toInt} from './kit/probe-helpers.js'
import type {StorageData} from '../src/model/sections/storage.js'

type Lvm = Required<Pick<StorageData['lvm'], 'vgs' | 'pvs' | 'lvs'>>

/** The report options of the `lvm` command: `--noheadings --nosuffix --units b --separator '|'`, these fields. */
export const LVM_FIELDS = {vgs: 'vg_name,vg_size,vg_free,pv_count,lv_count', pvs: 'pv_name,vg_name,pv_size,pv_free', lvs: 'lv_name,vg_name,lv_size,lv_attr'} as const

/** Parses the `lvm` command: `!vgs`, `!pvs`, `!lvs` markers, each followed by its report lines, fields split by `|`. */
export function parseLvmReports(text: string): Lvm {
  const out: Lvm = {vgs: [], pvs: [], lvs: []}
  let list: keyof Lvm | undefined
  let n = 0
  const bytes = (v: string | undefined) => {
    const b = toInt(v)
    if (b === undefined || b < 0) throw new ParseError(`not a size in bytes: ${JSON.stringify(v)}`, n)
    return b
  }
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '') continue
    const marker = /^!(vgs|pvs|lvs)$/.exec(line)
    if (marker) {
      list = marker[1] as keyof Lvm
      continue
    }
    const f = line.split('|').map((x) => x.trim())
    if (list === 'vgs' && f.length === 5) out.vgs.push({name: f[0]!, sizeBytes: bytes(f[1]), freeBytes: bytes(f[2]), pvCount: bytes(f[3]), lvCount: bytes(f[4])})
    else if (list === 'pvs' && f.length === 4) out.pvs.push({name: f[0]!, vg: f[1]!, sizeBytes: bytes(f[2]), freeBytes: bytes(f[3])})
    else if (list === 'lvs' && f.length === 4) out.lvs.push({name: f[0]!, vg: f[1]!, sizeBytes: bytes(f[2]), attr: f[3]!})
    else throw new ParseError(`not a ${list ?? 'report'} line: ${JSON.stringify(line.slice(0, 80))}`, n)
  }
  return out
}

/**
 * Parses `multipath -ll`: a map line (`NAME (WWID) dm-N VENDOR,PRODUCT` or `NAME dm-N …`) opens a map, and each path
 * line (`|- 1:0:0:1 sdb 8:16 active ready running`) counts, failed when it says failed or faulty.
 */
export function parseMultipath(text: string): NonNullable<StorageData['multipath']['maps']> {
  const maps: NonNullable<StorageData['multipath']['maps']> = []
  for (const raw of lines(text)) {
    const map = /^(\S+)\s+(?:\(\S+\)\s+)?dm-\d+\b/.exec(raw)
    if (map) {
      maps.push({name: map[1]!, paths: 0, failedPaths: 0})
      continue
    }
    const path = /^[\s|`'-]*\d+:\d+:\d+:\d+\s+\S+\s+\d+:\d+\s+(.*)$/.exec(raw)
    const current = maps[maps.length - 1]
    if (path && current) {
      current.paths++
      if (/\b(failed|faulty)\b/.test(path[1]!)) current.failedPaths++
    }
  }
  return maps
}
