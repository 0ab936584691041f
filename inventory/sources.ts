import {APT_CONFIG_MAY_DIFFER} from './kit/apt-config.js'
import {numberedFilesCommand, parseNumberedFiles, type NumberedFile} from './kit/numbered-files.js'
import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines} from './kit/probe-helpers.js'
import {sourcesSection, type RepositoryData, type SourcesData} from '../src/model/sections/sources.js'

/**
 * One command: the repositories, their files read whole with line numbers: `#manager apt` and `#insecure A U`
 * (Acquire::AllowInsecureRepositories and APT::Get::AllowUnauthenticated), or `#manager dnf`; then the files as
 * numberedFilesCommand prints them (on apt, by one awk that also reads dpkg's status). Then the held packages:
 * `#held dpkg` and dpkg's `hold` selections, or `#held versionlock` and dnf's versionlock entries, one a line. Exit 127
 * when neither apt nor dnf/yum is there.
 */
const SOURCES_COMMAND = [
  'H=',
  'if command -v apt-config >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then',
  '  SL= SP= AI= AU=',
  APT_CONFIG_MAY_DIFFER,
  '  [ -z "$cfg" ] || eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d AI Acquire::AllowInsecureRepositories AU APT::Get::AllowUnauthenticated 2>/dev/null)"',
  '  [ -n "$SL" ] || SL=/etc/apt/sources.list; [ -n "$SP" ] || SP=/etc/apt/sources.list.d/',
  '  echo "#manager apt"; echo "#insecure ${AI:-false} ${AU:-false}"',
  '  set --',
  '  for f in "$SL" "$SP"*.list "$SP"*.sources; do',
  '    if [ -L "$f" ] && [ "$(readlink -f "$f")" = /dev/null ]; then echo "!masked $f"',
  '    elif [ -f "$f" ]; then if [ -r "$f" ]; then set -- "$@" "$f"; else echo "!denied $f"; fi; fi',
  '  done',
  '  S=; [ -r /var/lib/dpkg/status ] && S=/var/lib/dpkg/status H=1',
  `  [ $# -eq 0 ] && [ -z "$S" ] || awk -v S="$S" 'FILENAME == S { if (!h) { print "#held dpkg"; h = 1 } if (/^Package: /) p = $2; else if (/^Status: hold /) { print p; if (++n >= 2000) exit } next }`,
  'FNR == 1 { print "!file " FILENAME }',
  `{ print FNR ":" $0 }' "$@" $S`,
  'elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then',
  '  echo "#manager dnf"',
  numberedFilesCommand(['/etc/yum.repos.d/*.repo', '/etc/distro.repos.d/*.repo']).replace(/\nexit 0$/, ''),
  'else exit 127; fi',
  'if [ -z "$H" ]; then',
  "  echo '#held versionlock'; set --",
  '  for f in /etc/dnf/plugins/versionlock.list /etc/yum/pluginconf.d/versionlock.list; do [ -r "$f" ] && set -- "$@" "$f"; done',
  "  [ $# -gt 0 ] && awk '!/^[[:space:]]*(#|$)/ {print; if (++n >= 2000) exit}' \"$@\"",
  'fi',
  'exit 0',
].join('\n')

/** The held part of the sources command starts at its `#held dpkg|versionlock` line. */
const HELD_START = /^#held (dpkg|versionlock)$/m

const yes = (v: string | undefined) => v !== undefined && /^(yes|true|1)$/i.test(v.trim())
const no = (v: string | undefined) => v !== undefined && /^(no|false|0)$/i.test(v.trim())
const words = (v: string | undefined) => (v ?? '').split(/\s+/).filter(Boolean)

/** One-line style `deb [opt=v …] URI SUITE [COMPONENT…]`, with its options. */
function oneLine(file: string, n: number, text: string, insecure: boolean): RepositoryData | undefined {
  const m = /^\s*(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(text.replace(/\s#.*$/, ''))
  if (!m) return undefined
  const opts = new Map<string, string>()
  for (const o of words(m[2])) {
    const eq = o.indexOf('=')
    if (eq > 0) opts.set(o.slice(0, eq).toLowerCase().replace(/[+-]$/, ''), o.slice(eq + 1))
  }
  const trusted = yes(opts.get('trusted'))
  const allowInsecure = yes(opts.get('allow-insecure'))
  return {
    file, line: n, id: `${file}:${n}`, format: 'one-line', enabled: true, types: [m[1]!], uris: [m[3]!], suites: [m[4]!], components: words(m[5]),
    ...(opts.get('signed-by') ? {signedBy: opts.get('signed-by')!} : {}),
    trusted, allowInsecure, signatureChecked: !(trusted || allowInsecure || insecure),
  }
}

/** A deb822 stanza: its fields (continuation lines joined; an inline Signed-By key is only noted). */
function deb822(file: string, n: number, fields: Map<string, string>, insecure: boolean): RepositoryData {
  const signedBy = fields.get('signed-by')
  const trusted = yes(fields.get('trusted'))
  const allowInsecure = yes(fields.get('allow-insecure'))
  return {
    file, line: n, id: `${file}:${n}`, format: 'deb822', enabled: !no(fields.get('enabled')), types: words(fields.get('types')), uris: words(fields.get('uris')),
    suites: words(fields.get('suites')), components: words(fields.get('components')),
    ...(signedBy ? {signedBy: /BEGIN PGP/.test(signedBy) ? '(inline key)' : signedBy.trim()} : {}),
    trusted, allowInsecure, signatureChecked: !(trusted || allowInsecure || insecure),
  }
}

function dnfRepo(file: string, n: number, id: string, v: Map<string, string>): RepositoryData {
  const gpgcheck = v.has('gpgcheck') ? !no(v.get('gpgcheck')) : undefined
  const repoGpgcheck = v.has('repo_gpgcheck') ? !no(v.get('repo_gpgcheck')) : undefined
  const uris = v.has('baseurl') ? (v.get('baseurl') ?? '').split(/[\s,]+/).filter(Boolean) : words(v.get('mirrorlist') ?? v.get('metalink'))
  return {
    file, line: n, format: 'repo', enabled: !no(v.get('enabled')), types: [], uris, suites: [], components: [], id,
    ...(v.get('name') ? {name: v.get('name')!} : {}),
    trusted: false, allowInsecure: false, ...(gpgcheck === undefined ? {} : {gpgcheck}), ...(repoGpgcheck === undefined ? {} : {repoGpgcheck}),
    signatureChecked: gpgcheck !== false,
  }
}

/** The repositories of one file. */
export function repositoriesOf(f: NumberedFile, manager: 'apt' | 'dnf', insecure = false): RepositoryData[] {
  const out: RepositoryData[] = []
  const body = (f.lines ?? []).filter(({text}) => !/^\s*[#;]/.test(text))
  if (manager === 'dnf') {
    let repo: {id: string; n: number; v: Map<string, string>} | undefined
    for (const {n, text} of body) {
      const section = /^\s*\[([^\]]+)\]\s*$/.exec(text)
      if (section) {
        if (repo) out.push(dnfRepo(f.path, repo.n, repo.id, repo.v))
        repo = {id: section[1]!.trim(), n, v: new Map()}
        continue
      }
      const kv = /^\s*([A-Za-z_0-9]+)\s*=\s*(.*?)\s*$/.exec(text)
      if (repo && kv) repo.v.set(kv[1]!.toLowerCase(), kv[2]!)
    }
    if (repo) out.push(dnfRepo(f.path, repo.n, repo.id, repo.v))
  } else if (f.path.endsWith('.sources')) {
    let fields = new Map<string, string>()
    let first = 0
    let last: string | undefined
    const flush = () => {
      if (fields.size) out.push(deb822(f.path, first, fields, insecure))
      fields = new Map()
      last = undefined
    }
    for (const {n, text} of body) {
      if (text.trim() === '') flush()
      else if (/^\s/.test(text) && last) fields.set(last, `${fields.get(last)}\n${text.trim()}`)
      else {
        const kv = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(text)
        if (!kv) throw new ParseError(`${f.path}: not a deb822 field: ${JSON.stringify(text.slice(0, 80))}`, n)
        if (fields.size === 0) first = n
        last = kv[1]!.toLowerCase()
        fields.set(last, kv[2]!.trim())
      }
    }
    flush()
  } else {
    for (const {n, text} of body) {
      const r = oneLine(f.path, n, text, insecure)
      if (r) out.push(r)
    }
  }
  return out
}

/** Parses the repositories part of the sources command (see SOURCES_COMMAND). */
export function parseRepositories(text: string): Pick<SourcesData, 'manager' | 'repositories' | 'unreadable' | 'aptInsecure'> {
  const all = lines(text)
  const head = /^#manager (apt|dnf)$/.exec(all[0] ?? '')
  if (!head) throw new ParseError('expected "#manager apt" or "#manager dnf" on the first line', 1)
  const manager = head[1] as 'apt' | 'dnf'
  let rest = all.slice(1)
  let aptInsecure: SourcesData['aptInsecure']
  if (manager === 'apt') {
    const ins = /^#insecure (\S+) (\S+)$/.exec(rest[0] ?? '')
    if (!ins) throw new ParseError('expected "#insecure A U" after "#manager apt"', 2)
    aptInsecure = {allowInsecureRepositories: yes(ins[1]), allowUnauthenticated: yes(ins[2])}
    rest = rest.slice(1)
  }
  const files = parseNumberedFiles(rest.join('\n'))
  const insecure = aptInsecure ? aptInsecure.allowInsecureRepositories || aptInsecure.allowUnauthenticated : false
  const unreadable = files.filter((f) => f.denied).map((f) => f.path)
  return {manager, repositories: files.flatMap((f) => repositoriesOf(f, manager, insecure)), ...(unreadable.length ? {unreadable} : {}), ...(aptInsecure ? {aptInsecure} : {})}
}

/** Parses the held part of the sources command: `#held dpkg|versionlock` then one name (or versionlock spec) a line. */
export function parseHeld(text: string): string[] {
  const all = lines(text)
  if (!/^#held (dpkg|versionlock)$/.test(all[0] ?? '')) throw new ParseError('expected "#held dpkg" or "#held versionlock" on the first line', 1)
  return all.slice(1).map((l) => l.trim()).filter(Boolean)
}

export const sourcesProbe = defineProbe({
  section: sourcesSection,
  platforms: ['Linux'],
  commands: {sources: SOURCES_COMMAND},
  interpret(out) {
    const fail = failure(out.sources, 'package sources')
    if (fail) return fail
    const text = out.sources!.stdout
    const held = HELD_START.exec(text)
    const data: SourcesData = parseRepositories(held ? text.slice(0, held.index) : text)
    const reasons: string[] = []
    if (data.unreadable) reasons.push(`cannot read ${data.unreadable.join(', ')}`)
    if (held) data.held = parseHeld(text.slice(held.index))
    else reasons.push('held packages: not read (the command stopped before them)')
    return reasons.length ? {status: 'partial', reason: reasons.join('; '), data} : {status: 'ok', data}
  },
})
