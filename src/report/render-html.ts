import type {Results} from '../model/results.js'
import {jsonForScript} from './escape.js'
import {hostData, htmlView} from './html-view.js'
import {formatter, loadLabels, type Lang} from './locale.js'
import {loadTemplates, offlineCsp, renderTemplate, type TemplateSet} from './templates.js'

export interface HtmlOptions {
  lang: Lang
  templateDir?: string
  /** Dates in this IANA time zone; default the machine's. */
  timeZone?: string
  templates?: TemplateSet
}

/**
 * The report as one self-contained HTML page: styles and script inline, allowed by their hashes in a
 * Content-Security-Policy that forbids every network request. Host data rides along once as inert JSON.
 */
export function renderHtml(results: Results, options: HtmlOptions): string {
  const t = loadLabels(options.lang, options.templateDir)
  const f = formatter(t, options.timeZone)
  const templates = options.templates ?? loadTemplates(options.templateDir)
  const css = templates.asset('report.css')
  const script = templates.asset('report.js')
  const csp = offlineCsp(script, css)
  const view = htmlView(results, options.lang, t, f)
  return renderTemplate(templates, 'report', {...view, t, csp, css, script, data: jsonForScript(hostData(results, options.lang, t, f))})
}
