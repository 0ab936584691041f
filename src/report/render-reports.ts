import type {Results} from '../model/results.js'
import {jsonPieces} from './json-pieces.js'
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
  /**
   * A large text (results.json) in pieces, made as they are written (jsonPieces, which cannot fail): its writer never
   * holds it whole. `content` then makes the whole text when read.
   */
  pieces?: () => Iterable<string>
}

/** results.json: the results as JSON.stringify(results, null, 1) writes them and a line break, in pieces (a host's fields one by one). */
function* resultsJson(results: Results): Generator<string> {
  yield* jsonPieces(results, 3)
  yield '\n'
}

/** A report whose text is made in pieces as it is written; `content` joins them when something reads it whole. */
function inPieces(format: ReportFormat, name: string, pieces: () => Iterable<string>): RenderedReport {
  return {
    format,
    name,
    pieces,
    get content() {
      return [...pieces()].join('')
    },
  }
}

/** Every file of the formats asked for, by name: renderers only render, nothing is written here. */
export function renderReports(results: Results, options: RenderOptions): RenderedReport[] {
  const out: RenderedReport[] = []
  for (const format of new Set(options.formats)) {
    if (format === 'html') out.push({format, name: 'hatang-report.html', content: renderHtml(results, options)})
    if (format === 'json') out.push(inPieces(format, 'results.json', () => resultsJson(results)))
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
