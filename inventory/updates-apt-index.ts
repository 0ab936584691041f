import type {ContentKind, WantedContent} from './kit/content.js'
import {dpkgItemsOf} from './kit/dpkg-packages.js'
import {ParseError} from './kit/parse-error.js'
import type {CommandOutput} from './kit/probe.js'
import {failure, succeeded} from './kit/probe-helpers.js'
import type {PackageItem} from '../src/model/sections/packages.js'
import type {AptListsOutput} from './updates-apt-lists.js'

// The "index" method of pending updates on apt systems: the host sends, for each Packages list, the SHA-256 and size
// its Release file gives for it (no list is decompressed there); the controller reads the lists' content from its
// own cache by that hash, asking the host for a list only when it holds no copy (see inventory/kit/content.ts). The
// installed packages are the shared dpkg query's (kit/dpkg-packages.ts), which the packages section reads too: the
// host does not list them a second time for this method.

/**
 * Reads `@@list FILE<TAB>RELEASE<TAB>NAME` lines (NAME: the list's file name after its Release file's prefix,
 * `main_binary-amd64_Packages.lz4`); prints L, R and F lines as the lists method does, and `H SHA256 SIZE PATH` with
 * the hash the Release file gives for the list's path. Exit 3 with a `#fallback WHY` line when a list has no Release
 * file, no Suite, or no SHA-256 there.
 */
export const INDEX_AWK = [
  '/^@@list / {',
  '  s = substr($0, 8); n = split(s, x, "\\t"); f = x[1]; r = x[2]; rel = x[3]',
  '  print "L " f',
  '  if (n < 3 || r == "") { print "#fallback no Release file for " f; bad = 1; next }',
  '  print "R " r',
  // apt names a list by its URI with "/" as "_" and a "_" of the URI as %5f; the Release file lists it uncompressed
  '  sub(/\\.(lz4|gz|xz|lzma|zst|bz2)$/, "", rel); gsub(/_/, "/", rel); gsub(/%5[fF]/, "_", rel)',
  '  su = 0; h = ""; sec = 0',
  '  while ((getline line < r) > 0) {',
  '    if (line ~ /^[A-Za-z0-9-]+:/) {',
  '      sec = (line ~ /^SHA256:/)',
  '      if (line ~ /^(Origin|Label|Suite|Codename|Version|NotAutomatic|ButAutomaticUpgrades):/) { print "F " line; if (line ~ /^Suite:[ \\t]*[^ \\t]/) su = 1 }',
  '      continue',
  '    }',
  '    if (sec && line ~ /^ /) { k = split(line, w, " "); if (k == 3 && w[3] == rel) h = w[1] " " w[2] }',
  '  }',
  '  close(r)',
  '  if (!su) { print "#fallback no Suite in " r; bad = 1 }',
  '  if (h == "") { print "#fallback no SHA256 of " rel " in " r; bad = 1 } else print "H " h " " rel',
  '  next',
  '}',
  'END { if (bad) exit 3 }',
].join('\n')

/** One version of a package a list offers. */
export interface IndexEntry {
  version: string
  architecture: string
  /** The stanza has Phased-Update-Percentage (Ubuntu's phased updates: apt may hold it back on this machine). */
  phased: boolean
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const [PACKAGE, VERSION, ARCHITECTURE, PHASED] = ['Package:', 'Version:', 'Architecture:', 'Phased-Update-Percentage:'].map((f) => Buffer.from(f, 'latin1')) as [Buffer, Buffer, Buffer, Buffer]

/**
 * A Packages list as the controller keeps it: one line per stanza, `NAME VERSION ARCH[ phased]`, sorted by name
 * (stanzas of one name in the list's order). Looked up by binary search over the line starts: loading it makes no
 * object per stanza, so a host costs the controller its installed names, not the list's size.
 */
export class AptIndex {
  private readonly starts: Int32Array
  /** Answers already given: the hosts of a fleet ask for mostly the same names. */
  private readonly answers = new Map<string, IndexEntry[]>()

  constructor(private readonly text: string) {
    let n = 0
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
    this.starts = new Int32Array(n)
    let at = 0
    for (let k = 0; k < n; k++) {
      this.starts[k] = at
      at = text.indexOf('\n', at) + 1
    }
  }

  private nameAt(k: number): string {
    const start = this.starts[k]!
    return this.text.slice(start, this.text.indexOf(' ', start))
  }

  /** The versions the list offers of a package (the same array for the same name: not to be changed). */
  lookup(name: string): readonly IndexEntry[] {
    let known = this.answers.get(name)
    if (!known) this.answers.set(name, (known = this.find(name)))
    return known
  }

  private find(name: string): IndexEntry[] {
    let lo = 0
    let hi = this.starts.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.nameAt(mid) < name) lo = mid + 1
      else hi = mid
    }
    const out: IndexEntry[] = []
    for (let k = lo; k < this.starts.length && this.nameAt(k) === name; k++) {
      const end = this.text.indexOf('\n', this.starts[k]!)
      const [, version, architecture, phased] = this.text.slice(this.starts[k]!, end).split(' ') as [string, string, string, string | undefined]
      out.push({version, architecture, phased: phased === 'phased'})
    }
    return out
  }
}

/** What the controller keeps of a Packages list: every stanza's name, version, architecture and phasing. */
export const aptIndexKind: ContentKind<AptIndex> = {
  id: 'apt-packages',
  version: 1,
  digest(content) {
    // line by line over the bytes, decoding only the four fields kept: a 50 MB list never becomes one string
    const out: string[] = []
    let p = ''
    let v = ''
    let a = ''
    let ph = false
    const flush = () => {
      if (p && v && a && !/\s/.test(p + v + a)) out.push(`${p} ${v} ${a}${ph ? ' phased' : ''}`)
      p = v = a = ''
      ph = false
    }
    const field = (start: number, end: number, name: string) => content.toString('latin1', start + name.length, end).trim()
    const starts = (at: number, name: Buffer) => content.length - at >= name.length && content.compare(name, 0, name.length, at, at + name.length) === 0
    for (let at = 0; at < content.length; ) {
      let end = content.indexOf(0x0a, at)
      if (end < 0) end = content.length
      if (end === at || (end === at + 1 && content[at] === 0x0d)) flush()
      else if (starts(at, PACKAGE)) {
        flush()
        p = field(at, end, 'Package:')
      } else if (starts(at, VERSION)) v = field(at, end, 'Version:')
      else if (starts(at, ARCHITECTURE)) a = field(at, end, 'Architecture:')
      else if (starts(at, PHASED)) ph = true
      at = end + 1
    }
    flush()
    const nameOf = (l: string) => l.slice(0, l.indexOf(' '))
    out.sort((x, y) => byteOrder(nameOf(x), nameOf(y)))
    return `${out.join('\n')}\n`
  },
  load: (digest) => new AptIndex(digest),
  sample(digest, outputs) {
    // the installed names: the shared dpkg query's (the index method's pending output lists none since 02579d5)
    const installed = new Set([...(outputs.installed?.stdout ?? '').matchAll(/^([^\s:]+)(?::[^\t]*)?\t/gm)].map((m) => m[1]!))
    return digest
      .split('\n')
      .filter((l) => l !== '' && installed.has(l.slice(0, l.indexOf(' '))))
      .map((l) => `${l}\n`)
      .join('')
  },
}

/** The lists whose content the index method needs (by the hash their Release file gives). */
export function wantedIndexes(o: AptListsOutput): WantedContent[] {
  return o.lists.flatMap((l) => (l.index ? [{sha256: l.index.sha256, path: l.file, size: l.index.size}] : []))
}

/** The same from the pending command's output, read for its L and H lines only (the interpreter parses the rest). */
export function wantedIndexesOf(text: string): WantedContent[] {
  const out: WantedContent[] = []
  let file: string | undefined
  for (const m of text.matchAll(/^(L|H) (.*)$/gm)) {
    if (m[1] === 'L') file = m[2]
    else {
      const h = /^([0-9a-f]{64}) (\d+) \S+$/.exec(m[2]!)
      if (h && file) out.push({sha256: h[1]!, path: file, size: Number(h[2])})
    }
  }
  return out
}

/**
 * Fills the index method's lists with the stanzas of installed names, from the contents the controller read.
 * Returns why it cannot: a list whose content could not be had, or a phased update of an installed package (apt's
 * phasing depends on the machine, which only apt on the host can tell).
 */
export function fillFromIndexes(o: AptListsOutput, contents: ReadonlyMap<string, unknown> | undefined, problems: ReadonlyMap<string, string> | undefined): string | undefined {
  const names = new Set(o.installed.map((i) => i.name))
  for (const list of o.lists) {
    const sha = list.index!.sha256
    const index = contents?.get(sha) as AptIndex | undefined
    if (!index) return `the package list ${list.file} could not be read: ${problems?.get(sha) ?? 'no content'}`
    list.packages = []
    for (const name of names) {
      for (const e of index.lookup(name)) {
        if (e.phased) return `phased update (Phased-Update-Percentage) of ${name}: apt on the host decides`
        list.packages.push({name, version: e.version, architecture: e.architecture})
      }
    }
  }
  return undefined
}

/**
 * The `I` lines of a dpkg list, by its parsed items: followUp and interpret of a host ask in turn, and dpkgItemsOf gives
 * the hosts that send the same list (a fleet from one image) the same items.
 */
const installedLines = new WeakMap<readonly PackageItem[], string>()

/**
 * The index method's output as the lists' parser reads it: the pending command's, then the installed packages of the
 * shared dpkg query (kit/dpkg-packages.ts) as its `I NAME VERSION ARCH STATUS` lines, the lines the lists method
 * prints itself, written from the one parse of that list a host (dpkgItemsOf, which the packages section and the
 * malware scan read too). `why` when that query did not answer. Throws ParseError for a line of it that is not
 * dpkg-query's.
 */
export function indexOutput(pending: string, installed: CommandOutput | undefined): {text: string; why?: undefined} | {text?: undefined; why: string} {
  if (!succeeded(installed)) return {why: `the installed packages were not read (${failure(installed, 'dpkg-query')?.reason ?? 'dpkg-query gave nothing'})`}
  let items: readonly PackageItem[]
  try {
    items = dpkgItemsOf(installed)
  } catch (error) {
    if (error instanceof ParseError) throw new ParseError(`installed packages: ${error.message}`)
    throw error
  }
  let lines = installedLines.get(items)
  if (lines === undefined) installedLines.set(items, (lines = items.map((p) => `I ${p.name} ${p.version ?? ''} ${p.architecture ?? ''} ${p.status}\n`).join('')))
  return {text: `${pending.endsWith('\n') ? pending : `${pending}\n`}${lines}`}
}
