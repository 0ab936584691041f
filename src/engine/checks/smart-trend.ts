import {diskIdentity, type SmartDiskData, type StorageData} from '../../model/sections/storage.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why, type Why} from '../../model/why.js'
import {failBecause as fail, resolveTop, unknownBecause as unknown, type Outcome} from './assertion.js'

/**
 * A disk's failure counters judged across runs:
 *
 *   {smartTrend: true}
 *
 * for each disk of the host's SMART data, its counters now against its latest earlier reading (the same disk: same
 * host, same model and serial number, see diskIdentity) that the runs layer found in the store (SmartHistory). A
 * counter that rose fails, naming the disk and both readings; no earlier reading is unknown, never a pass; counters
 * equal or lower pass, with both readings as the evidence. A disk replaced by another (a new serial) has no earlier
 * reading: unknown, never a rise. Judged only as a check's whole assertion (the pack loader refuses it elsewhere).
 */
export interface SmartTrendAssertion {
  smartTrend: true
}

/** A disk as an earlier run read it: the run, when it started, and the disk's SMART data then. */
export interface EarlierDiskReading {
  run: number
  startedAt: string
  disk: SmartDiskData
}

/**
 * What the store holds of a host's disks before the run judged (src/runs/smart-history.ts finds it): the latest
 * earlier reading of each of the run's disks that has one, by diskIdentity, and how many earlier runs that collected
 * the host were searched. The engine never reads a store: it is handed this.
 */
export interface SmartHistory {
  readings: ReadonlyMap<string, EarlierDiskReading>
  /** Earlier runs of the host searched, newest first (0: the store has no earlier run of it). */
  searched: number
}

/** The counters a trend compares: a rise in any of them is a disk wearing out. */
export const TREND_COUNTERS = [
  {field: 'reallocatedSectors', name: 'reallocated sectors'},
  {field: 'pendingSectors', name: 'pending sectors'},
  {field: 'offlineUncorrectable', name: 'offline uncorrectable sectors'},
  {field: 'nvmeMediaErrors', name: 'NVMe media errors'},
  // a bit field: a warning bit set now that was clear then is a rise, whatever the number
  {field: 'nvmeCriticalWarning', name: 'NVMe critical warning', bits: true},
] as const

/** A disk as reasons name it: its device, model and serial number. */
export function diskLabel(d: SmartDiskData): string {
  const known = [d.model, d.serial !== undefined ? `serial ${d.serial}` : undefined].filter(Boolean)
  return known.length > 0 ? `${d.name} (${known.join(', ')})` : d.name
}
/** The same for a reason in the reader's language: no words, values only. */
const diskItem = (d: SmartDiskData): string => {
  const known = [d.model, d.serial].filter(Boolean)
  return known.length > 0 ? `${d.name} (${known.join(', ')})` : d.name
}

interface Judged {
  verdict: 'pass' | 'fail' | 'unknown'
  reasons: string[]
  whys: Why[]
}

/** One disk now against its earlier reading. */
function judgeDisk(d: SmartDiskData, history: SmartHistory): Judged {
  const item = diskItem(d)
  if (d.passed === undefined && d.error !== undefined) {
    return {verdict: 'unknown', reasons: [`${diskLabel(d)}: no SMART reading (${d.error})`], whys: [why('smartTrend.noReading', {item, error: d.error})]}
  }
  const id = diskIdentity(d)
  if (id === undefined) {
    return {verdict: 'unknown', reasons: [`${d.name}: smartctl gave no serial number, the disk cannot be told across runs`], whys: [why('smartTrend.noSerial', {item})]}
  }
  const earlier = history.readings.get(id)
  if (!earlier) {
    return {verdict: 'unknown', reasons: [`${diskLabel(d)}: no earlier reading of this disk in the ${history.searched} runs before`], whys: [why('smartTrend.firstReading', {item, runs: history.searched})]}
  }
  const date = earlier.startedAt.slice(0, 10)
  const out: Judged = {verdict: 'pass', reasons: [], whys: []}
  const steady: string[] = []
  const steadyWhys: Why[] = []
  for (const c of TREND_COUNTERS) {
    const [before, now] = [earlier.disk[c.field], d[c.field]]
    if (before === undefined || now === undefined) continue
    const rose = 'bits' in c ? (now & ~before) !== 0 : now > before
    const p = {field: `storage.smart.disks[].${c.field}`, item, before, now, run: earlier.run, date}
    if (rose) {
      out.verdict = 'fail'
      out.reasons.push(`${c.name} ${before} → ${now}`)
      out.whys.push(why('smartTrend.rise', p))
    } else {
      steady.push(`${c.name} ${before} → ${now}`)
      steadyWhys.push(why('smartTrend.steady', p))
    }
  }
  const since = `since run ${earlier.run} of ${date}`
  if (out.verdict === 'fail') return {...out, reasons: [`${diskLabel(d)}: ${out.reasons.join(', ')} ${since}`]}
  if (steady.length === 0) {
    return {verdict: 'unknown', reasons: [`${diskLabel(d)}: no counter read both now and in run ${earlier.run} of ${date}`], whys: [why('smartTrend.noCounter', {item, run: earlier.run, date})]}
  }
  return {verdict: 'pass', reasons: [`${diskLabel(d)}: ${steady.join(', ')} ${since}, none risen`], whys: steadyWhys}
}

const joined = (whys: Why[]): Why => (whys.length === 1 ? whys[0]! : {t: 'all', of: whys.map((w) => ({t: w.t, ...(w.p ? {p: w.p} : {})}))})

/**
 * The trend of the host's disks (see SmartTrendAssertion): `history` undefined means the run is judged without a
 * store of runs (snapshot files), so there is nothing earlier to compare: unknown. A pass carries its evidence as its
 * reason: both readings of each disk and the earlier run.
 */
export function evaluateSmartTrend(snapshot: Snapshot, history: SmartHistory | undefined): Outcome {
  const smart = resolveTop(snapshot, 'storage.smart')
  if (!smart.ok) return unknown(smart.reason, smart.why)
  const s = smart.value as StorageData['smart'] | undefined
  if (!s?.disks) {
    if (s && !s.installed) return unknown('smartctl is not installed: the disks were not read', why('smartTrend.notInstalled'))
    if (s?.needsRoot) return unknown('reading SMART needs root: the disks were not read', why('smartTrend.needsRoot'))
    return unknown('the disks were not read', why('smartTrend.notRead'))
  }
  if (!history) return unknown('no earlier run to compare: judged without a store of runs', why('smartTrend.noStore'))
  if (history.searched === 0) return unknown('no earlier run to compare: the store has no earlier run of this host', why('smartTrend.noEarlierRun'))
  if (s.disks.length === 0) return unknown('no disk answered smartctl', why('smartTrend.notRead'))
  const judged = s.disks.map((d) => judgeDisk(d, history))
  for (const verdict of ['fail', 'unknown'] as const) {
    const these = judged.filter((j) => j.verdict === verdict)
    if (these.length === 0) continue
    const reason = these.flatMap((j) => j.reasons).join('; ')
    const w = joined(these.flatMap((j) => j.whys))
    return verdict === 'fail' ? fail(reason, w) : unknown(reason, w)
  }
  return {verdict: 'pass', reason: judged.flatMap((j) => j.reasons).join('; '), why: joined(judged.flatMap((j) => j.whys))}
}
