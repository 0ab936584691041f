import type {Results} from '../model/results.js'
import type {Lang} from './locale.js'
import {renderFindingsCsv, renderHostsCsv, renderPackagesCsv} from './render-csv.js'
import {renderHtml} from './render-html.js'
import {renderJunit} from './render-junit.js'
import {renderMarkdown} from './render-markdown.js'

export const REPORT_FORMATS = ['html', 'json', 'csv', 'md', 'junit'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** A --format value ("html,md"): the formats, or what is wrong with it and what to do. Pure. */
export function parseFormats(text: string): {formats: ReportFormat[]; problem?: {message: string; hint: string}} {
  const formats = text.split(',').map((f) => f.trim()).filter(Boolean)
  const bad = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f))
  if (bad.length === 0 && formats.length > 0) return {formats: formats as ReportFormat[]}
  return {formats: [], problem: {message: `--format ${text}: unknown format ${bad.join(', ') || '(none)'}`, hint: `choose from ${REPORT_FORMATS.join(', ')}`}}
}

export interface RenderOptions {
  formats: readonly ReportFormat[]
  lang: Lang
  templateDir?: string
  timeZone?: string
}

/** One report file's content and plain name (hatang-report.html, results.json…); src/runs writes it. */
export interface RenderedReport {
  format: ReportFormat
  name: string
  content: string
}

/** Every file of the formats asked for, by name: renderers only render, nothing is written here. */
export function renderReports(results: Results, options: RenderOptions): RenderedReport[] {
  const out: RenderedReport[] = []
  for (const format of new Set(options.formats)) {
    if (format === 'html') out.push({format, name: 'hatang-report.html', content: renderHtml(results, options)})
    if (format === 'json') out.push({format, name: 'results.json', content: `${JSON.stringify(results, null, 1)}\n`})
    if (format === 'csv') {
      out.push({format, name: 'hosts.csv', content: renderHostsCsv(results, options.lang)})
      out.push({format, name: 'findings.csv', content: renderFindingsCsv(results, options.lang)})
      out.push({format, name: 'packages.csv', content: renderPackagesCsv(results)})
    }
    if (format === 'md') out.push({format, name: 'summary.md', content: renderMarkdown(results, options.lang, options.templateDir)})
    if (format === 'junit') out.push({format, name: 'junit.xml', content: renderJunit(results)})
  }
  return out
}
