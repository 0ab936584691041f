import type {Rollup} from '../../model/rollup.js'
import type {RenderOptions, RenderedReport, ReportFormat} from '../render-reports.js'
import {renderRollupHostsCsv, renderRollupUnitsCsv} from './rollup-csv.js'
import {renderRollupHtml} from './rollup-html.js'

/** The formats a roll-up is written in; md and junit are a run's, not a roll-up's. */
export const ROLLUP_FORMATS = ['html', 'json', 'csv'] as const satisfies readonly ReportFormat[]

/** Every roll-up file of the formats asked for (others are ignored), by name: nothing is written here. */
export function renderRollupReports(rollup: Rollup, options: RenderOptions): RenderedReport[] {
  const out: RenderedReport[] = []
  for (const format of new Set(options.formats)) {
    if (format === 'html') out.push({format, name: 'hatang-rollup.html', content: renderRollupHtml(rollup, options)})
    if (format === 'json') out.push({format, name: 'rollup.json', content: `${JSON.stringify(rollup, null, 1)}\n`})
    if (format === 'csv') {
      out.push({format, name: 'rollup-units.csv', content: renderRollupUnitsCsv(rollup, options.lang)})
      out.push({format, name: 'rollup-hosts.csv', content: renderRollupHostsCsv(rollup, options.lang)})
    }
  }
  return out
}
