import type {ChalkInstance} from 'chalk'

import type {Snapshot} from '../model/snapshot.js'
import type {Section, SectionStatus} from '../model/section.js'

const mark: Record<SectionStatus, string> = {ok: '✔', partial: '◐', unavailable: '○', error: '✖', timeout: '⧗'}

/** A short readable summary of one snapshot, for the terminal. Pure: renders, writes nothing. */
export function renderCollectSummary(snapshot: Snapshot, c: ChalkInstance): string {
  const sections = snapshot.sections as unknown as Record<string, Section<Record<string, unknown>>>
  const out: string[] = []
  const os = snapshot.sections.os.data
  out.push(c.bold(`${snapshot.host.name}`) + (os ? `  ${os.prettyName ?? os.name ?? os.family} · kernel ${os.kernel} · ${os.architecture}` : ''))
  out.push(c.dim(`collected ${snapshot.meta.collectedAt} in ${snapshot.meta.durationMs} ms by ${snapshot.meta.tool.name} ${snapshot.meta.tool.version}` +
    ` (${snapshot.meta.privileged ? 'root' : `uid ${snapshot.meta.uid ?? '?'}, not root`}${snapshot.meta.native ? ', native hardware' : ''})`))
  out.push('')
  const paint = {ok: c.green, partial: c.yellow, unavailable: c.dim, error: c.red, timeout: c.red} as const
  const width = Math.max(...Object.keys(sections).map((k) => k.length))
  for (const [id, s] of Object.entries(sections)) {
    const note = s.reason ? c.dim(` — ${s.reason}`) : ''
    out.push(`${paint[s.status](`${mark[s.status]} ${id.padEnd(width)}`)}  ${s.status}${note}`)
  }
  const counts = Object.values(sections).reduce<Record<string, number>>((acc, s) => ({...acc, [s.status]: (acc[s.status] ?? 0) + 1}), {})
  out.push('')
  out.push(Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', '))
  return out.join('\n')
}
