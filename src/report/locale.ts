import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {packageDir} from '../model/package-root.js'
import {TemplateError} from './template-error.js'

export type Lang = 'vi' | 'en'
export const LANGS: readonly Lang[] = ['vi', 'en']

/** Labels of one language, by key (templates/locales/LANG.json). */
export type Labels = Record<string, string>

/** The templates/ folder at the package root. */
export function templatesDir(): string {
  return packageDir('templates')
}

/** The labels of a language; an organisation's templates folder may override any of them (locales/LANG.json). */
export function loadLabels(lang: Lang, templateDir?: string): Labels {
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Labels
  const base = read(path.join(templatesDir(), 'locales', `${lang}.json`))
  const override = templateDir ? path.join(templateDir, 'locales', `${lang}.json`) : undefined
  if (!override || !existsSync(override)) return base
  let labels: unknown
  try {
    labels = read(override)
  } catch (error) {
    throw new TemplateError(`${override}: ${(error as Error).message}`)
  }
  if (!labels || typeof labels !== 'object' || Array.isArray(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new TemplateError(`${override}: must be an object of labels, each a string`)
  }
  return {...base, ...(labels as Labels)}
}

/** Numbers, sizes and dates in the reader's language (Intl: vi-VN or en-GB). */
export interface Formatter {
  locale: string
  num(n: number | null | undefined, digits?: number): string
  bytes(n: number | null | undefined): string
  date(iso: string | undefined): string
  dateTime(iso: string | undefined): string
}

export function formatter(labels: Labels, timeZone?: string): Formatter {
  const locale = labels.locale ?? 'en-GB'
  const nf = new Intl.NumberFormat(locale, {maximumFractionDigits: 0})
  const nf1 = new Intl.NumberFormat(locale, {maximumFractionDigits: 1})
  const df = new Intl.DateTimeFormat(locale, {dateStyle: 'medium', ...(timeZone ? {timeZone} : {})})
  const dtf = new Intl.DateTimeFormat(locale, {dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? {timeZone} : {})})
  const unknown = labels['common.unknown'] ?? '?'
  const valid = (iso: string | undefined) => iso !== undefined && !Number.isNaN(Date.parse(iso))
  return {
    locale,
    num: (n, digits = 0) => (n === null || n === undefined ? '–' : (digits ? nf1 : nf).format(n)),
    bytes(n) {
      if (n === null || n === undefined) return unknown
      const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
      let v = n
      let u = 0
      while (v >= 1024 && u < units.length - 1) {
        v /= 1024
        u++
      }
      return `${(v >= 100 || u === 0 ? nf : nf1).format(v)} ${units[u]}`
    },
    date: (iso) => (valid(iso) ? df.format(new Date(iso!)) : unknown),
    dateTime: (iso) => (valid(iso) ? dtf.format(new Date(iso!)) : unknown),
  }
}
