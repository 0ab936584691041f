import {numberedFilesCommand, parseNumberedFiles, type NumberedFile} from './kit/numbered-files.js'
import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, succeeded} from './kit/probe-helpers.js'
import {KERNEL_MODULES, kernelModulesSection, moduleName, type KernelModulesData} from '../src/model/sections/kernel-modules.js'

/** Where modprobe reads its configuration (kmod): a file name in an earlier folder masks the same name in later ones. */
const MODPROBE_DIRS = ['/etc/modprobe.d', '/run/modprobe.d', '/usr/local/lib/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d']

/**
 * The kernel's three lists, each after its marker where it can be read, by one awk (cut and two awks were three
 * processes): a module's name (the first field), a filesystem's (the last), a protocol's (the first, after the header).
 */
const PROC_COMMAND = [
  'set --; for f in /proc/modules /proc/filesystems /proc/net/protocols; do [ -r $f ] && set -- "$@" $f; done',
  `[ $# -eq 0 ] || awk 'BEGIN { for (i = 1; i < ARGC; i++) { f = ARGV[i]; m = f == "/proc/modules" ? "modules" : f == "/proc/filesystems" ? "filesystems" : "protocols"; print "!" m; n = 0
  while ((getline l < f) > 0) { n++; k = split(l, w, " "); if (m == "filesystems") print w[k]; else if (m == "modules" || n > 1) print w[1] }
  close(f) } }' "$@"`,
  'exit 0',
].join('\n')

/** Parses the `proc` command: `!modules`, `!filesystems`, `!protocols` lists, one name a line. */
export function parseKernelLists(text: string): Pick<KernelModulesData, 'loadable' | 'loaded' | 'filesystems' | 'protocols'> {
  const out = {loadable: false, loaded: [] as string[], filesystems: [] as string[], protocols: [] as string[]}
  let list: string[] | undefined
  let n = 0
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '') continue
    if (line === '!modules') {
      out.loadable = true
      list = out.loaded
    } else if (line === '!filesystems') list = out.filesystems
    else if (line === '!protocols') list = out.protocols
    else if (list && /^[\w.+-]+$/.test(line)) list.push(line)
    else throw new ParseError(`not a name under a list marker: ${JSON.stringify(line.slice(0, 60))}`, n)
  }
  if (!text.includes('!filesystems')) throw new ParseError('no /proc/filesystems')
  return out
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1)

/** The modprobe.d files in the order modprobe reads them: one per name (the first folder's), sorted by name. */
export function modprobeOrder(files: readonly NumberedFile[]): NumberedFile[] {
  const byName = new Map<string, NumberedFile>()
  for (const f of files) if (!byName.has(basename(f.path))) byName.set(basename(f.path), f)
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f).filter((f) => f.lines !== undefined || f.denied)
}

/** What the files say of the listed modules: the first `install` command and the first `blacklist` of each. */
export function modprobeConfig(files: readonly NumberedFile[]): KernelModulesData['config'] {
  const config: KernelModulesData['config'] = {}
  const wanted = new Set<string>(KERNEL_MODULES.map(moduleName))
  for (const f of files) {
    for (const {n, text} of f.lines ?? []) {
      const m = /^\s*(install|blacklist)\s+(\S+)\s*(.*)$/.exec(text)
      if (!m || !wanted.has(moduleName(m[2]!))) continue
      const entry = (config[moduleName(m[2]!)] ??= {})
      if (m[1] === 'install') entry.install ??= {command: m[3]!.trim(), file: f.path, line: n}
      else entry.blacklist ??= {file: f.path, line: n}
    }
  }
  return config
}

export const kernelModulesProbe = defineProbe({
  section: kernelModulesSection,
  platforms: ['Linux'],
  commands: {
    proc: PROC_COMMAND,
    modprobe: numberedFilesCommand(MODPROBE_DIRS.map((d) => `${d}/*.conf`)),
  },
  interpret(out) {
    const fail = failure(out.proc, '/proc')
    if (fail) return fail
    const lists = parseKernelLists(out.proc!.stdout)
    if (!succeeded(out.modprobe)) return {status: 'partial', reason: failure(out.modprobe, 'modprobe.d')?.reason ?? 'modprobe.d', data: {...lists, config: {}, configFiles: [], configUnreadable: ['/etc/modprobe.d']}}
    const files = modprobeOrder(parseNumberedFiles(out.modprobe.stdout))
    const data: KernelModulesData = {...lists, config: modprobeConfig(files), configFiles: files.map((f) => f.path)}
    const denied = files.filter((f) => f.denied).map((f) => f.path)
    if (denied.length) {
      data.configUnreadable = denied
      return {status: 'partial', reason: `cannot read ${denied.join(', ')}`, data}
    }
    return {status: 'ok', data}
  },
})
