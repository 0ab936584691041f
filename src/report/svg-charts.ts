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
export function bars(rows: readonly Slice[], caption: string, width = 320): string {
  const max = Math.max(1, ...rows.map((r) => r.value))
  const h = 26
  // as wide as the longest label needs (≈7 px a character at 12 px), so the bars keep the room
  const labelW = Math.min(130, Math.max(60, 8 + 7 * Math.max(0, ...rows.map((r) => [...r.label].length))))
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

export interface TrendPoint {
  /** Under the point's column, e.g. a localised date. */
  label: string
  /** 0–100, or null where the run has no score (not judged). */
  value: number | null
  /** The point's tooltip. */
  title: string
}

/** Scores over runs as a line with a dot per run (oldest left), axis 0–100. Text is escaped. */
export function trendLine(points: readonly TrendPoint[], caption: string, width = 320): string {
  const h = 150
  const left = 34
  const right = 14
  const top = 10
  const plotH = 100
  const step = points.length > 1 ? (width - left - right) / (points.length - 1) : 0
  const x = (i: number) => (points.length > 1 ? left + i * step : (left + width - right) / 2)
  const y = (v: number) => top + plotH - (Math.max(0, Math.min(100, v)) / 100) * plotH
  const grid = [0, 50, 100]
    .map((v) => `<line class="trend-grid" x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}"/><text class="trend-axis" x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
    .join('')
  const scored = points.map((p, i) => ({p, i})).filter((e): e is {p: TrendPoint & {value: number}; i: number} => e.p.value !== null)
  const line = scored.length > 1 ? `<polyline class="trend-line" fill="none" stroke-width="2" points="${scored.map((e) => `${x(e.i).toFixed(1)},${y(e.p.value).toFixed(1)}`).join(' ')}"/>` : ''
  const dots = scored
    .map((e) => {
      const cls = e.p.value >= 90 ? 'good' : e.p.value >= 70 ? 'fair' : 'poor'
      return `<circle class="trend-dot gauge-${cls}" cx="${x(e.i).toFixed(1)}" cy="${y(e.p.value).toFixed(1)}" r="4"><title>${escapeXml(e.p.title)}</title></circle>`
    })
    .join('')
  // a label under every point when they fit, else under the first, the last and a few between
  const every = Math.max(1, Math.ceil(points.length / 4))
  const labels = points
    .map((p, i) => {
      if (i % every !== 0 && i !== points.length - 1) return ''
      // the first and last labels lean inwards so the plot's edges do not cut them
      const anchor = points.length === 1 ? 'middle' : i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'
      return `<text class="trend-axis" x="${x(i).toFixed(1)}" y="${h - 18}" text-anchor="${anchor}">${escapeXml(p.label)}</text>`
    })
    .join('')
  return `<svg class="trend" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="${escapeXml(caption)}">${grid}${line}${dots}${labels}</svg>`
}
