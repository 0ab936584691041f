/**
 * Finds English words in a Vietnamese text: the words of the English reason templates, field labels and report
 * labels, less the technical names a Vietnamese text keeps as they are. Only words of plain ASCII letters count:
 * a Vietnamese word with its marks is never English; names with capitals, digits or punctuation (SSH, AllowGroups,
 * ENCRYPT_METHOD, systemd-coredump) are names, not English.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {loadReasonBook} from '../../src/report/reason-book.js'
import {ROOT} from './bin.js'

/** Words Vietnamese IT texts take over unchanged. */
const LOANWORDS = new Set(['swap', 'inode', 'syslog', 'root', 'core', 'dump', 'journald', 'systemd', 'login', 'defs', 'cron', 'sudo', 'kernel', 'modprobe', 'fstab', 'sysctl'])
/** Vietnamese words without marks that are also English words. */
const VIETNAMESE = new Set(['an', 'con', 'tin', 'to', 'do', 'ban', 'hay', 'the', 'tam', 'bang', 'long', 'nam', 'sang', 'tan', 'chi', 'lo', 'ma', 'ca', 'la', 'ra', 'vi', 'ho', 'gia'])

let vocabulary: Set<string> | undefined
/** The English vocabulary: every plain word of the English reasons, labels and report texts, and the usual small ones. */
export function englishVocabulary(): Set<string> {
  if (vocabulary) return vocabulary
  const texts: string[] = ['the is of not and or no any at most least expected absent reported number value one none more than less']
  const book = loadReasonBook()
  for (const t of book.templates.values()) texts.push(t.en)
  for (const t of book.fields.values()) texts.push(t.en)
  for (const p of book.patterns) texts.push(p.texts.en)
  texts.push(...Object.values(JSON.parse(readFileSync(path.join(ROOT, 'templates/locales/en.json'), 'utf8')) as Record<string, string>))
  vocabulary = new Set()
  for (const t of texts) for (const w of t.replace(/\{[A-Za-z0-9]+\}/g, ' ').split(/[^A-Za-z]+/)) if (/^[a-z]{2,}$/.test(w) && !LOANWORDS.has(w) && !VIETNAMESE.has(w)) vocabulary.add(w)
  return vocabulary
}

/** The English words of a text meant to be Vietnamese (its values left out by the caller). */
export function englishWordsIn(text: string): string[] {
  const v = englishVocabulary()
  // a name joined by - _ . / or with digits (systemd-coredump, net.ipv4.ip_forward) is one name, not words;
  // a capital at the start of a sentence does not make a word a name, one inside a sentence does (Storage, Unit)
  const words: string[] = []
  for (const m of text.matchAll(/[A-Za-z0-9\u00C0-\u1EF9._/-]+/g)) {
    const w = m[0].replace(/^[._/-]+|[._/-]+$/g, '')
    const sentenceStart = /(^|[.:!?;]\s*|\n\s*)$/.test(text.slice(0, m.index))
    words.push(/^[A-Z][a-z]+$/.test(w) && sentenceStart ? w.toLowerCase() : w)
  }
  return words.filter((w) => /^[a-z]+$/.test(w) && v.has(w))
}
