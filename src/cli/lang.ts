import {Flags} from '@oclif/core'

export type Lang = 'vi' | 'en'

/**
 * The language when --lang is not given: HATANG_LANG (vi or en), else Vietnamese when the locale is
 * Vietnamese (LC_ALL, LC_MESSAGES or LANG starting with "vi"), else English. Pure.
 */
export function defaultLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const chosen = env.HATANG_LANG?.trim().toLowerCase()
  if (chosen === 'vi' || chosen === 'en') return chosen
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return /^vi([_.@-]|$)/i.test(locale) ? 'vi' : 'en'
}

/** --lang, the same on every command: reports, summaries and check titles. */
export const langFlag = (summary: string) =>
  Flags.string({
    options: ['vi', 'en'],
    summary,
    description: 'Default: HATANG_LANG, else vi when the locale is Vietnamese (LANG=vi_VN…), else en.',
    default: async () => defaultLang(),
    helpValue: 'vi|en',
  })
