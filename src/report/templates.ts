import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {Eta, EtaError} from 'eta'

import {templatesDir} from './locale.js'
import {TemplateError} from './template-error.js'

/**
 * The report's templates (*.eta), stylesheet and script, from templates/ with any file of the same name
 * in an organisation's folder (--template DIR) taking its place. Eta escapes every `<%= %>` (autoEscape).
 */
/** Runs a template, its failures as TemplateError naming it. */
export function renderTemplate(set: TemplateSet, name: string, data: object): string {
  try {
    return set.eta.render(`@${name}`, data)
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]
    throw new TemplateError(`${name}.eta (or a template it includes): ${error instanceof EtaError ? message : `${(error as Error).name}: ${message}`}`)
  }
}

export interface TemplateSet {
  eta: Eta
  asset(name: string): string
}

export function loadTemplates(overrideDir?: string): TemplateSet {
  const eta = new Eta({autoEscape: true, autoTrim: false, cache: true, useWith: false})
  const dirs = [templatesDir(), ...(overrideDir ? [overrideDir] : [])]
  const files = new Map<string, string>()
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new TemplateError(`${dir}: no such templates folder`)
    for (const f of readdirSync(dir)) if (/\.(eta|css|js)$/.test(f)) files.set(f, path.join(dir, f))
  }
  for (const [name, file] of files) {
    if (!name.endsWith('.eta')) continue
    try {
      eta.loadTemplate(`@${name.slice(0, -4)}`, readFileSync(file, 'utf8'))
    } catch (error) {
      throw new TemplateError(`${file}: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  return {
    eta,
    asset(name) {
      const file = files.get(name)
      if (!file) throw new TemplateError(`template asset ${name} is missing`)
      return readFileSync(file, 'utf8')
    },
  }
}

/** A Content-Security-Policy source for an inline script or style: its SHA-256. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}

/** The Content-Security-Policy of an offline report: its one inline script and style by their hashes, no request at all. */
export function offlineCsp(script: string, css: string): string {
  return ["default-src 'none'", `script-src ${cspHash(script)}`, `style-src ${cspHash(css)}`, 'img-src data:', "base-uri 'none'", "form-action 'none'"].join('; ')
}
