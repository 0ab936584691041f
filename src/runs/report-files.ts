import {existsSync} from 'node:fs'
import path from 'node:path'

import {fsProblem} from '../cli/fs-problem.js'
import {OutputError} from '../cli/output-error.js'
import {writeFileAtomic, writeSizedAtomic} from '../files/write-atomic.js'
import {InputError} from '../config/input-error.js'
import type {Results} from '../model/results.js'
import type {Lang} from '../report/locale.js'
import {TemplateError} from '../report/template-error.js'
import {renderReports, type RenderedReport, type RenderOptions, type ReportFormat} from '../report/render-reports.js'

export interface ReportFilesOptions {
  formats: readonly ReportFormat[]
  lang: Lang
  /** The folder written into. */
  dir: string
  /** --template: a folder overriding the built-in templates. */
  templateDir?: string
}

export interface WrittenFile {
  format: ReportFormat
  file: string
  bytes: number
}

/**
 * Renders the results in each format and writes the files into `dir` by their plain names, each atomically (temp
 * file + rename). Everything is rendered before the first file is written, so a template error leaves nothing behind.
 */
export async function writeReports(results: Results, options: RenderOptions & {dir: string}): Promise<WrittenFile[]> {
  return writeRendered(renderReports(results, options), options.dir)
}

/** Rendered files written into `dir` by their plain names, each atomically (temp file + rename), in order. */
export async function writeRendered(rendered: readonly RenderedReport[], dir: string): Promise<WrittenFile[]> {
  const written: WrittenFile[] = []
  for (const r of rendered) {
    const file = path.join(dir, r.name)
    written.push({format: r.format, file, bytes: await writeSizedAtomic(file, r.pieces ? r.pieces() : r.content)})
  }
  return written
}

/** A --template that does not render: a usage error (exit 2) naming it. Any other error as it is. */
function templateProblem(error: unknown, templateDir: string | undefined): unknown {
  if (error instanceof TemplateError && templateDir) return new InputError(`--template ${templateDir}: ${error.message}`, 'fix the template or leave --template out')
  return error
}

/**
 * `report`'s files, by their plain names (hatang-report.html, results.json…) in `dir`, each written atomically, all
 * rendered before the first is written. A folder that cannot be written is an output error (exit 5).
 */
export async function writeReportFiles(results: Results, o: ReportFilesOptions): Promise<WrittenFile[]> {
  return writeRenderedFiles(() => renderReports(results, o), o)
}

/**
 * Files rendered by `render` (all before the first is written), written into `o.dir` by their plain names, each
 * atomically: a --template that does not render is a usage error (exit 2), a folder that cannot be written an output
 * error (exit 5).
 */
export async function writeRenderedFiles(render: () => RenderedReport[], o: {dir: string; templateDir?: string}): Promise<WrittenFile[]> {
  try {
    return await writeRendered(render(), o.dir)
  } catch (error) {
    const problem = templateProblem(error, o.templateDir)
    if (problem !== error || !(error as NodeJS.ErrnoException).code) throw problem
    throw new OutputError(`cannot write into ${o.dir}: ${fsProblem(error, path.join(o.dir, 'x'))}`, 'choose another folder with -o')
  }
}

/** YYYYMMDD-HHMM in local time. */
const stamp = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`
}

/**
 * An audit's reports, named hatang-report-YYYYMMDD-HHMM.* after the audit's start in `dir`, each written atomically.
 * A second audit within the same minute never overwrites the first one's reports: it adds -2, -3, … to the name. A
 * file that cannot be written is an output error (exit 5: the run is stored, and can be reported later).
 */
export async function writeAuditReports(results: Results, o: ReportFilesOptions & {startedAt: Date}): Promise<string[]> {
  const dir = path.resolve(o.dir)
  const when = stamp(o.startedAt)
  const namesOf = (base: string): Record<string, string> => ({'hatang-report.html': `${base}.html`, 'results.json': `${base}.json`, 'summary.md': `${base}.md`, 'junit.xml': `${base}-junit.xml`})
  let rendered
  try {
    rendered = renderReports(results, {formats: o.formats, lang: o.lang, ...(o.templateDir ? {templateDir: o.templateDir} : {})})
  } catch (error) {
    throw templateProblem(error, o.templateDir)
  }
  let base = `hatang-report-${when}`
  const target = (b: string, name: string) => path.join(dir, namesOf(b)[name] ?? `${b}-${name}`)
  for (let n = 2; rendered.some((r) => existsSync(target(base, r.name))); n++) base = `hatang-report-${when}-${n}`
  const files: string[] = []
  for (const r of rendered) {
    const file = target(base, r.name)
    try {
      await writeFileAtomic(file, r.pieces ? r.pieces() : r.content)
    } catch (error) {
      throw new OutputError(`cannot write ${file}: ${fsProblem(error, file)}`, "the run is stored; choose another folder with -o, or 'hatang report RUN' later")
    }
    files.push(file)
  }
  return files
}
