import type {Rollup} from '../../model/rollup.js'
import {jsonForScript} from '../escape.js'
import {formatter, loadLabels} from '../locale.js'
import type {HtmlOptions} from '../render-html.js'
import {loadTemplates, offlineCsp, renderTemplate} from '../templates.js'
import {rollupHostData} from './rollup-host-data.js'
import {rollupView} from './rollup-view.js'

/**
 * The roll-up as one self-contained HTML page, like a run's report: styles and script inline, allowed by their hashes
 * in a Content-Security-Policy that forbids every network request. Units, tree, ranking and sync are rendered here (they
 * read without a script); host rows ride as inert JSON, one block per unit, and the script builds them when a unit opens.
 */
export function renderRollupHtml(rollup: Rollup, options: HtmlOptions): string {
  const t = loadLabels(options.lang, options.templateDir)
  const f = formatter(t, options.timeZone)
  const templates = options.templates ?? loadTemplates(options.templateDir)
  const css = `${templates.asset('report.css')}\n${templates.asset('rollup.css')}`
  const script = templates.asset('rollup.js')
  const csp = offlineCsp(script, css)
  const data = rollupHostData(rollup, options.lang, t, f)
  const buckets = data.buckets.map((rows, i) => ({i, json: jsonForScript(rows)})).filter((_, i) => data.buckets[i]!.length > 0)
  return renderTemplate(templates, 'rollup', {...rollupView(rollup, options.lang, t, f), csp, css, script, meta: jsonForScript(data.meta), buckets})
}
