import {numberedFilesCommand, parseNumberedFiles, type NumberedFile} from './kit/numbered-files.js'
import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, notInstalled, succeeded} from './kit/probe-helpers.js'
import {FOREIGN_NAMES_KEPT, sourcesSection, type RepositoryData, type SourcesData} from '../src/model/sections/sources.js'

/**
 * The repositories, their files read whole with line numbers: `#manager apt` and `#insecure A U` (apt-config's
 * Acquire::AllowInsecureRepositories and APT::Get::AllowUnauthenticated), or `#manager dnf`; then the files as
 * numberedFilesCommand prints them. Exit 127 when neither apt nor dnf/yum is there.
 */
const REPOS_COMMAND = [
  'if command -v apt-config >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then',
  '  SL= SP= AI= AU=',
  '  eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d AI Acquire::AllowInsecureRepositories AU APT::Get::AllowUnauthenticated 2>/dev/null)"',
  '  [ -n "$SL" ] || SL=/etc/apt/sources.list; [ -n "$SP" ] || SP=/etc/apt/sources.list.d/',
  '  echo "#manager apt"; echo "#insecure ${AI:-false} ${AU:-false}"',
  numberedFilesCommand(['"$SL"', '"$SP"*.list', '"$SP"*.sources']).replace(/\nexit 0$/, ''),
  'elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then',
  '  echo "#manager dnf"',
  numberedFilesCommand(['/etc/yum.repos.d/*.repo', '/etc/distro.repos.d/*.repo']).replace(/\nexit 0$/, ''),
  'else exit 127; fi',
  'exit 0',
].join('\n')

/** Held packages: dpkg's `hold` selections (`#held dpkg`), or dnf versionlock entries (`#held versionlock`), one a line. */
const HELD_COMMAND = [
  "if [ -r /var/lib/dpkg/status ]; then echo '#held dpkg'; awk '/^Package: / {p = $2} /^Status: hold / {print p}' /var/lib/dpkg/status | head -n 2000",
  'else',
  "  echo '#held versionlock'",
  "  for f in /etc/dnf/plugins/versionlock.list /etc/yum/pluginconf.d/versionlock.list; do [ -r \"$f\" ] && grep -v '^[[:space:]]*\\(#\\|$\\)' \"$f\" | head -n 2000; done",
  'fi',
  'exit 0',
].join('\n')

/**
 * Installed packages whose name no downloaded Packages list offers (dpkg only): dpkg's status, then the names of the
 * lists (plain, or lz4/gz/xz where the tool is there), in one awk that keeps only the installed names (a few hundred)
 * and strikes those a list offers; `#count N` and up to FOREIGN_NAMES_KEPT names. `#nolists` when
 * no list was downloaded, `#unreadable` when one is compressed with a tool that is not installed. Exit 127 without dpkg.
 */
const FOREIGN_COMMAND = [
  '[ -r /var/lib/dpkg/status ] || exit 127',
  'L=; eval "$(apt-config shell L Dir::State::lists/d 2>/dev/null)"; [ -n "$L" ] || L=/var/lib/apt/lists/',
  'set -- "$L"*_Packages "$L"*_Packages.lz4 "$L"*_Packages.gz "$L"*_Packages.xz; found=',
  'for f; do [ -f "$f" ] && found=1; done',
  "[ -n \"$found\" ] || { echo '#nolists'; exit 0; }",
  'for f; do [ -f "$f" ] || continue; case $f in',
  '  *.lz4) command -v lz4cat >/dev/null 2>&1 || { echo "#unreadable $f"; exit 0; };; *.gz) command -v zcat >/dev/null 2>&1 || { echo "#unreadable $f"; exit 0; };;',
  '  *.xz) command -v xzcat >/dev/null 2>&1 || { echo "#unreadable $f"; exit 0; };; esac; done',
  '{ cat /var/lib/dpkg/status; echo "#lists"; for f; do [ -f "$f" ] || continue; case $f in *.lz4) lz4cat "$f" | grep "^Package: ";; *.gz) zcat "$f" | grep "^Package: ";; *.xz) xzcat "$f" | grep "^Package: ";; *) grep "^Package: " "$f";; esac; done; } |',
  `  awk -v keep=${FOREIGN_NAMES_KEPT} '$0 == "#lists" {l = 1; next} !l && /^Package: / {p = $2} !l && /^Status: .* installed$/ {inst[p] = 1} l && ($2 in inst) {delete inst[$2]} END {for (k in inst) {n++; if (n <= keep) print k}; print "#count", n + 0}'`,
].join('\n')

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

/** Parses the repos command (see REPOS_COMMAND). */
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

/** Parses the held command: `#held dpkg|versionlock` then one name (or versionlock spec) a line. */
export function parseHeld(text: string): string[] {
  const all = lines(text)
  if (!/^#held (dpkg|versionlock)$/.test(all[0] ?? '')) throw new ParseError('expected "#held dpkg" or "#held versionlock" on the first line', 1)
  return all.slice(1).map((l) => l.trim()).filter(Boolean)
}

/** Parses the foreign command: the names, then `#count N`; or `#nolists` / `#unreadable FILE` (unknown, with the reason). */
export function parseForeign(text: string): {foreign?: SourcesData['foreign']; reason?: string} {
  const all = lines(text).filter((l) => l.trim() !== '')
  if (all[0] === '#nolists') return {reason: 'no package lists downloaded (apt update never ran)'}
  const un = /^#unreadable (\S+)$/.exec(all[0] ?? '')
  if (un) return {reason: `cannot read ${un[1]} (its decompressor is not installed)`}
  const count = /^#count (\d+)$/.exec(all.at(-1) ?? '')
  if (!count) throw new ParseError('expected "#count N" on the last line')
  const names = all.slice(0, -1)
  for (const [i, n] of names.entries()) if (!/^[a-z0-9][a-z0-9+.-]*$/.test(n)) throw new ParseError(`not a package name: ${JSON.stringify(n.slice(0, 60))}`, i + 1)
  return {foreign: {count: Number(count[1]), names: names.slice(0, FOREIGN_NAMES_KEPT).sort()}}
}

export const sourcesProbe = defineProbe({
  section: sourcesSection,
  platforms: ['Linux'],
  commands: {repos: REPOS_COMMAND, held: HELD_COMMAND, foreign: FOREIGN_COMMAND},
  interpret(out) {
    const fail = failure(out.repos, 'package sources')
    if (fail) return fail
    const data: SourcesData = parseRepositories(out.repos!.stdout)
    const reasons: string[] = []
    if (data.unreadable) reasons.push(`cannot read ${data.unreadable.join(', ')}`)
    if (succeeded(out.held)) data.held = parseHeld(out.held.stdout)
    else reasons.push(failure(out.held, 'held packages')?.reason ?? 'held packages')
    if (data.manager === 'dnf') data.foreignReason = 'not read on dnf/yum hosts'
    else if (succeeded(out.foreign)) {
      const f = parseForeign(out.foreign.stdout)
      if (f.foreign) data.foreign = f.foreign
      else data.foreignReason = f.reason!
    } else data.foreignReason = notInstalled(out.foreign) ? 'dpkg status not readable' : (failure(out.foreign, 'foreign packages')?.reason ?? 'foreign packages')
    return reasons.length ? {status: 'partial', reason: reasons.join('; '), data} : {status: 'ok', data}
  },
})
