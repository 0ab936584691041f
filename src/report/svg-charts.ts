import {escapeXml} from './escape.js'

export interface Slice {
  label: string
  value: number
  /** A CSS class of the stylesheet (colour), e.g. sev-critical. */
  cls: string
}

/** A donut chart as inline SVG, built here so the report needs no script to draw it. Text is escaped. */
export function donut(slices: readonly Slice[], center: string, caption: string): string {
  const total = slices.reduce((n, s) => n + s.value, 0)
  const r = 60
  const c = 2 * Math.PI * r
  let offset = 0
  const arcs = slices
    .filter((s) => s.value > 0)
    .map((s) => {
      const len = (s.value / total) * c
      const arc = `<circle class="${escapeXml(s.cls)}" r="${r}" cx="80" cy="80" fill="none" stroke-width="28" stroke-dasharray="${len.toFixed(2)} ${(c - len).toFixed(2)}" stroke-dashoffset="${(-offset).toFixed(2)}" transform="rotate(-90 80 80)"><title>${escapeXml(`${s.label}: ${s.value}`)}</title></circle>`
      offset += len
      return arc
    })
  const empty = total === 0 ? `<circle class="empty" r="${r}" cx="80" cy="80" fill="none" stroke-width="28"/>` : ''
  return (
    `<svg class="donut" viewBox="0 0 160 160" width="160" height="160" role="img" aria-label="${escapeXml(caption)}">` +
    `${empty}${arcs.join('')}<text x="80" y="88" text-anchor="middle" class="donut-center">${escapeXml(center)}</text></svg>`
  )
}

/** Horizontal bars as inline SVG, a label and a value per row. Text is escaped. */
export function bars(rows: readonly Slice[], caption: string, width = 360): string {
  const max = Math.max(1, ...rows.map((r) => r.value))
  const h = 26
  const labelW = 130
  const barW = width - labelW - 50
  const body = rows
    .map((row, i) => {
      const y = i * h
      const w = Math.max(row.value > 0 ? 2 : 0, (row.value / max) * barW)
      return (
        `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end" class="bar-label">${escapeXml(row.label)}</text>` +
        `<rect class="${escapeXml(row.cls)}" x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${h - 8}" rx="3"><title>${escapeXml(`${row.label}: ${row.value}`)}</title></rect>` +
        `<text x="${labelW + w + 6}" y="${y + 17}" class="bar-value">${escapeXml(row.value)}</text>`
      )
    })
    .join('')
  return `<svg class="bars" viewBox="0 0 ${width} ${rows.length * h}" width="${width}" height="${rows.length * h}" role="img" aria-label="${escapeXml(caption)}">${body}</svg>`
}

/** A score as a half gauge. */
export function gauge(score: number | null, caption: string): string {
  const v = score ?? 0
  const r = 70
  const half = Math.PI * r
  const len = (v / 100) * half
  const cls = score === null ? 'empty' : v >= 90 ? 'good' : v >= 70 ? 'fair' : 'poor'
  return (
    `<svg class="gauge" viewBox="0 0 180 105" width="180" height="105" role="img" aria-label="${escapeXml(caption)}">` +
    `<path d="M20 90 A70 70 0 0 1 160 90" fill="none" class="gauge-track" stroke-width="18"/>` +
    `<path d="M20 90 A70 70 0 0 1 160 90" fill="none" class="gauge-${cls}" stroke-width="18" stroke-dasharray="${len.toFixed(2)} ${half.toFixed(2)}"/>` +
    `<text x="90" y="86" text-anchor="middle" class="gauge-value">${escapeXml(score === null ? '–' : String(score))}</text></svg>`
  )
}
