import type {SourceData} from '../src/model/sections/updates.js'
import {APT_CONFIG_MAY_DIFFER} from './kit/apt-config.js'
import {ParseError} from './kit/parse-error.js'
import {lines} from './kit/probe-helpers.js'
import {SECURITY_ARCHIVE} from './updates-apt-lists.js'

/**
 * The configured sources: `#manager`, then `==> FILE` and the file's lines without whole-line comments (`!denied FILE`
 * when unreadable). Where apt's configuration may name other paths, apt-config says them (APT_CONFIG_MAY_DIFFER).
 */
export const SOURCES = [
  'show() { if [ -r "$1" ]; then echo "==> $1"; grep -v "^[[:space:]]*[#;]" "$1"; echo; else echo "!denied $1"; fi; }',
  'if command -v apt-config >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then',
  '  echo "#manager apt"; SL= SP=',
  APT_CONFIG_MAY_DIFFER,
  '  [ -z "$cfg" ] || eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d 2>/dev/null)"',
  '  [ -n "$SL" ] || SL=/etc/apt/sources.list; [ -n "$SP" ] || SP=/etc/apt/sources.list.d/',
  '  [ -f "$SL" ] && show "$SL"',
  '  for f in "$SP"*.list "$SP"*.sources; do [ -f "$f" ] && show "$f"; done',
  'elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then',
  '  echo "#manager dnf"',
  '  for f in /etc/yum.repos.d/*.repo /etc/distro.repos.d/*.repo; do [ -f "$f" ] && show "$f"; done',
  'else exit 127; fi',
  'exit 0',
].join('\n')

const DNF_SECURITY_REPO = /(^|[-_])(baseos|appstream)([-_]|$)|^rhel-\d+-server-rpms$|^updates$|^amazonlinux$|^amzn2-core$/i

/** One-line style: `deb [opt=v …] URI SUITE [COMPONENT…]`. */
function oneLineSource(file: string, line: string): SourceData | undefined {
  const text = line.replace(/\s#.*$/, '').trim()
  const m = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(text)
  if (!m) return undefined
  const type = m[1] as 'deb' | 'deb-src'
  const suite = m[3]!
  return {file, type, uri: m[2]!, suite, components: m[4]!.trim().split(/\s+/).filter(Boolean), security: type === 'deb' && SECURITY_ARCHIVE.test(suite)}
}

/** A deb822 stanza (Types, URIs, Suites, Components, Enabled): one source per type, URI and suite. */
function deb822Sources(file: string, fields: Map<string, string>): SourceData[] {
  if (/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes')) return []
  const list = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean)
  const components = list('components')
  const out: SourceData[] = []
  for (const type of list('types')) {
    if (type !== 'deb' && type !== 'deb-src') continue
    for (const uri of list('uris')) for (const suite of list('suites')) out.push({file, type, uri, suite, components, security: type === 'deb' && SECURITY_ARCHIVE.test(suite)})
  }
  return out
}

/**
 * Parses the `sources` command: the manager, then each file (`==> FILE` and its lines; `!denied FILE` when it
 * could not be read). apt: one-line `.list` files and deb822 `.sources` files (stanzas apart by blank lines,
 * `Enabled: no` skipped); dnf/yum: `.repo` INI sections whose `enabled` is not 0. Only enabled sources are returned.
 */
export function parseSources(text: string): {manager: 'apt' | 'dnf'; sources: SourceData[]; denied: string[]} {
  const all = lines(text)
  const head = /^#manager (apt|dnf)$/.exec(all[0] ?? '')
  if (!head) throw new ParseError('expected "#manager apt" or "#manager dnf" on the first line', 1)
  const manager = head[1] as 'apt' | 'dnf'
  const sources: SourceData[] = []
  const denied: string[] = []
  let file: string | undefined
  let fields = new Map<string, string>()
  let lastKey: string | undefined
  let repo: {id: string; values: Map<string, string>} | undefined
  const flush = () => {
    if (file && file.endsWith('.sources') && fields.size > 0) sources.push(...deb822Sources(file, fields))
    if (file && repo && !/^(0|no|false)$/i.test(repo.values.get('enabled') ?? '1')) {
      const uri = repo.values.get('baseurl')?.split(/[\s,]+/)[0] || repo.values.get('mirrorlist') || repo.values.get('metalink')
      sources.push({file, type: 'repo', ...(uri ? {uri} : {}), components: [], id: repo.id, ...(repo.values.get('name') ? {name: repo.values.get('name')!} : {}), security: DNF_SECURITY_REPO.test(repo.id)})
    }
    fields = new Map()
    lastKey = undefined
    repo = undefined
  }
  for (const [i, raw] of all.slice(1).entries()) {
    const n = i + 2
    const start = /^==> (\/\S*)$/.exec(raw)
    if (start) {
      flush()
      file = start[1]!
      continue
    }
    const den = /^!denied (\/\S*)$/.exec(raw)
    if (den) {
      flush()
      file = undefined
      denied.push(den[1]!)
      continue
    }
    if (file === undefined) {
      if (raw.trim() === '') continue
      throw new ParseError('a line before the first "==> FILE"', n)
    }
    const line = raw.replace(/\r$/, '')
    if (manager === 'dnf') {
      const section = /^\s*\[([^\]]+)\]\s*$/.exec(line)
      if (section) {
        flush()
        repo = {id: section[1]!.trim(), values: new Map()}
      } else if (repo) {
        const kv = /^\s*([A-Za-z_0-9]+)\s*=\s*(.*?)\s*$/.exec(line)
        if (kv) repo.values.set(kv[1]!.toLowerCase(), kv[2]!)
      }
    } else if (file.endsWith('.sources')) {
      if (line.trim() === '') flush()
      else if (/^\s/.test(line) && lastKey) fields.set(lastKey, `${fields.get(lastKey)} ${line.trim()}`)
      else {
        const kv = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line)
        if (!kv) throw new ParseError(`${file}: not a deb822 field: ${JSON.stringify(line.slice(0, 80))}`, n)
        lastKey = kv[1]!.toLowerCase()
        fields.set(lastKey, kv[2]!.trim())
      }
    } else {
      const src = oneLineSource(file, line)
      if (src) sources.push(src)
    }
  }
  flush()
  return {manager, sources, denied}
}
