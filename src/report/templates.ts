import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {Eta} from 'eta'

import {templatesDir} from './locale.js'

/**
 * The report's templates (*.eta), stylesheet and script, from templates/ with any file of the same name
 * in an organisation's folder (--template DIR) taking its place. Eta escapes every `<%= %>` (autoEscape).
 */
export interface TemplateSet {
  eta: Eta
  asset(name: string): string
}

export function loadTemplates(overrideDir?: string): TemplateSet {
  const eta = new Eta({autoEscape: true, autoTrim: false, cache: true, useWith: false})
  const dirs = [templatesDir(), ...(overrideDir ? [overrideDir] : [])]
  const files = new Map<string, string>()
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new Error(`${dir}: no such templates folder`)
    for (const f of readdirSync(dir)) if (/\.(eta|css|js)$/.test(f)) files.set(f, path.join(dir, f))
  }
  for (const [name, file] of files) if (name.endsWith('.eta')) eta.loadTemplate(`@${name.slice(0, -4)}`, readFileSync(file, 'utf8'))
  return {
    eta,
    asset(name) {
      const file = files.get(name)
      if (!file) throw new Error(`template asset ${name} is missing`)
      return readFileSync(file, 'utf8')
    },
  }
}

/** A Content-Security-Policy source for an inline script or style: its SHA-256. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}
