import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import type {Static} from '@sinclair/typebox'
import {Type} from '../model/type-builder.js'

import {ConfigError} from '../config/config-error.js'
import {errorAt} from '../config/error-at.js'
import {readShippedYaml} from '../config/shipped-yaml.js'
import {schemaProblems} from '../config/schema-problems.js'
import {Obj, Opt, Str} from '../model/schema-helpers.js'
import {compile} from '../model/validate.js'
import {templatesDir, type Lang} from './locale.js'

const Texts = Obj({en: Str({minLength: 1}), vi: Str({minLength: 1})})

/**
 * One file of templates/reasons/: reason templates by id (`{name}` placeholders, see src/model/why.ts) and labels of
 * snapshot fields by path. A path segment `*` stands for one segment (`{1}`, `{2}`… in the label), a final `**` for
 * the rest of the path (`{rest}`); `[]` for a list item (`{item}`).
 */
export const ReasonFileSchema = Obj(
  {
    templates: Opt(Type.Record(Str({pattern: '^[a-z][a-zA-Z0-9]*(\\.[a-zA-Z0-9-]+)*$'}), Texts)),
    fields: Opt(Type.Record(Str({minLength: 1}), Texts)),
  },
  {$id: 'urn:hatang:schema:reasons', title: 'hatang failure reason templates and field labels'},
)
type ReasonFile = Static<typeof ReasonFileSchema>

export type Texts = Record<Lang, string>

/** Every reason template and field label of templates/reasons/*.yaml. */
export interface ReasonBook {
  templates: Map<string, Texts>
  /** Exact paths (list items as `[]`). */
  fields: Map<string, Texts>
  /** Paths with `*` / `**` segments, in file order. */
  patterns: {segments: string[]; texts: Texts}[]
}

/** The folder of the reason files. */
export function reasonsDir(): string {
  return path.join(templatesDir(), 'reasons')
}

const books = new Map<string, ReasonBook>()

/** Reads every templates/reasons/*.yaml (validated; ConfigError at file:line; a template or label defined twice is an error), once. */
export function loadReasonBook(dir = reasonsDir()): ReasonBook {
  const hit = books.get(dir)
  if (hit) return hit
  const book: ReasonBook = {templates: new Map(), fields: new Map(), patterns: []}
  const validate = compile(ReasonFileSchema)
  const where = new Map<string, string>()
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const file = path.join(dir, name)
    const yaml = readShippedYaml(readFileSync(file, 'utf8'), file)
    ConfigError.throwIfAny(yaml.errors)
    const hint = `fix ${name}`
    ConfigError.throwIfAny(schemaProblems(validate, yaml, file, {hint}))
    const at = errorAt(file, yaml.positions, hint)
    const data = (yaml.data ?? {}) as ReasonFile
    const problems: ConfigError[] = []
    for (const [kind, entries] of [['templates', data.templates], ['fields', data.fields]] as const) {
      for (const [key, texts] of Object.entries(entries ?? {})) {
        const seen = where.get(`${kind}:${key}`)
        if (seen) problems.push(at([kind, key], `${key} is already defined in ${seen}`))
        where.set(`${kind}:${key}`, name)
        if (kind === 'templates') book.templates.set(key, texts)
        else if (key.split('.').some((s) => s === '*' || s === '**')) book.patterns.push({segments: key.split('.'), texts})
        else book.fields.set(key, texts)
      }
    }
    ConfigError.throwIfAny(problems)
  }
  books.set(dir, book)
  return book
}
