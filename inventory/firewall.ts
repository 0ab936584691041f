import {ParseError} from './kit/parse-error.js'
import {defineProbe, type CommandOutput} from './kit/probe.js'
import {deniedByPermissions, failure, lines, notInstalled, succeeded} from './kit/probe-helpers.js'
import {firewallSection, type FirewallData, type IptablesViewData, type KernelTablesData, type NftTableData, type PolicyName} from '../src/model/sections/firewall.js'

const NOT_LOADED = '# not loaded'

/** Parses `nft list ruleset`; "# not loaded" alone means nf_tables is not in the kernel (nothing to list). */
export function parseNftRuleset(text: string): {loaded: boolean; tables: NftTableData[]} {
  if (text.trim() === NOT_LOADED) return {loaded: false, tables: []}
  const tables: NftTableData[] = []
  let depth = 0
  let table: NftTableData | undefined
  let chain: NftTableData['chains'][number] | undefined
  let n = 0
  for (const raw of lines(text)) {
    n++
    // quoted strings (comments) may hold braces
    const line = raw.replace(/"(?:[^"\\]|\\.)*"/g, '""').trim()
    const startDepth = depth
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0)
    if (depth < 0) throw new ParseError('unbalanced braces', n)
    if (line === '' || line.startsWith('#')) continue
    if (startDepth === 0) {
      const m = /^table\s+(\S+)\s+(\S+)\s*\{$/.exec(line)
      if (!m) throw new ParseError(`expected "table FAMILY NAME {": ${JSON.stringify(line.slice(0, 60))}`, n)
      table = {family: m[1]!, name: m[2]!, chains: []}
      tables.push(table)
      chain = undefined
      continue
    }
    if (startDepth === 1) {
      const m = /^chain\s+(\S+)\s*\{$/.exec(line)
      chain = m ? {name: m[1]!, rules: 0} : undefined
      if (chain) table!.chains.push(chain)
      continue
    }
    if (startDepth === 2 && chain) {
      const base = /^type\s+(\S+)\s+hook\s+(\S+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);(?:\s*policy\s+(\w+);)?/.exec(line)
      if (base) {
        chain.type = base[1]!
        chain.hook = base[2]!
        chain.priority = base[3]!.trim()
        if (base[4]) chain.policy = base[4]
      } else if (/^policy\s+\w+;/.test(line)) chain.policy = /^policy\s+(\w+);/.exec(line)![1]!
      else if (!/^(comment|devices)\s/.test(line) && line !== '}') chain.rules++
    }
  }
  if (depth !== 0) throw new ParseError('unbalanced braces at the end of the ruleset')
  return {loaded: true, tables}
}

/**
 * Parses the `iptables` command: for iptables and ip6tables, `==> NAME`, its `-V` line, then either
 * `# not loaded` or its `-S` listing, then `# exit N`.
 */
export function parseIptables(text: string): {views: IptablesViewData[]; denied: string[]; failed: {command: string; exitCode: number}[]} {
  const views: IptablesViewData[] = []
  const denied: string[] = []
  const failed: {command: string; exitCode: number}[] = []
  let view: IptablesViewData | undefined
  let n = 0
  const chainOf = (name: string) => {
    let c = view!.chains.find((x) => x.name === name)
    if (!c) view!.chains.push((c = {name, rules: 0}))
    return c
  }
  for (const raw of lines(text)) {
    n++
    const line = raw.trim()
    if (line === '') continue
    const head = /^==> (\S+)$/.exec(line)
    if (head) {
      view = {command: head[1]!, loaded: true, chains: []}
      views.push(view)
      continue
    }
    if (!view) throw new ParseError('output before the first "==> NAME" line', n)
    const version = /^ip6?tables v(\S+)(?:\s+\((nf_tables|legacy)\))?/.exec(line)
    if (version) {
      view.version = version[1]!
      view.variant = (version[2] as 'nf_tables' | 'legacy' | undefined) ?? 'legacy'
      continue
    }
    if (line === NOT_LOADED) {
      view.loaded = false
      continue
    }
    const exit = /^# exit (\d+)$/.exec(line)
    if (exit) {
      const rc = Number(exit[1])
      if (rc === 4) denied.push(view.command)
      else if (rc !== 0) failed.push({command: view.command, exitCode: rc})
      continue
    }
    if (line.startsWith('#')) continue // warnings, e.g. "# Warning: iptables-legacy tables present"
    const p = /^-P (\S+) (\S+)/.exec(line)
    if (p) {
      chainOf(p[1]!).policy = p[2]!
      continue
    }
    const nch = /^-N (\S+)/.exec(line)
    if (nch) {
      chainOf(nch[1]!)
      continue
    }
    const a = /^-A (\S+)/.exec(line)
    if (a) {
      chainOf(a[1]!).rules++
      continue
    }
    throw new ParseError(`not an iptables -S line: ${JSON.stringify(line.slice(0, 60))}`, n)
  }
  if (views.length === 0) throw new ParseError('no iptables output')
  return {views, denied, failed}
}

export interface UfwInfo {
  enabled?: boolean
  active?: boolean
  defaultInput?: PolicyName
  defaultOutput?: PolicyName
  defaultForward?: PolicyName
  ipv6?: boolean
  rules?: number
  /** `ufw status` was refused for want of root. */
  statusDenied: boolean
}

const policyOf = (v: string | undefined): PolicyName | undefined => {
  const p = v?.replace(/["']/g, '').trim().toLowerCase()
  return p === 'accept' || p === 'drop' || p === 'reject' ? p : p === 'deny' ? 'drop' : p === 'allow' ? 'accept' : undefined
}

/** Parses the `ufw` command: `==> /etc/ufw/ufw.conf`, `==> /etc/default/ufw` assignments, then `==> status` (ufw status verbose). */
export function parseUfw(text: string): UfwInfo {
  const info: UfwInfo = {statusDenied: false}
  let section = ''
  let sawAny = false
  let inRules = false
  let rules = 0
  let sawStatus = false
  for (const raw of lines(text)) {
    const line = raw.trim()
    const head = /^==> (\S+)$/.exec(line)
    if (head) {
      section = head[1]!
      sawAny = true
      continue
    }
    if (section === 'status') {
      const st = /^Status: (active|inactive)$/.exec(line)
      if (st) {
        info.active = st[1] === 'active'
        sawStatus = true
      } else if (/need to be root|permission denied/i.test(line)) info.statusDenied = true
      else if (/^Default: /.test(line)) {
        const d = /(\w+) \(incoming\)/.exec(line)
        const o = /(\w+) \(outgoing\)/.exec(line)
        const r = /(\w+) \(routed\)/.exec(line)
        if (d) info.defaultInput = policyOf(d[1]) ?? info.defaultInput
        if (o) info.defaultOutput = policyOf(o[1]) ?? info.defaultOutput
        if (r) info.defaultForward = policyOf(r[1]) ?? info.defaultForward
      } else if (/^--/.test(line)) inRules = true
      else if (inRules && line !== '') rules++
      continue
    }
    const kv = /^([A-Z_0-9]+)=(.*)$/.exec(line)
    if (!kv) continue
    const value = kv[2]!.replace(/["']/g, '').trim()
    if (kv[1] === 'ENABLED') info.enabled = /^yes$/i.test(value)
    else if (kv[1] === 'DEFAULT_INPUT_POLICY') info.defaultInput = policyOf(value)
    else if (kv[1] === 'DEFAULT_OUTPUT_POLICY') info.defaultOutput = policyOf(value)
    else if (kv[1] === 'DEFAULT_FORWARD_POLICY') info.defaultForward = policyOf(value)
    else if (kv[1] === 'IPV6') info.ipv6 = /^yes$/i.test(value)
  }
  if (!sawAny) throw new ParseError('no ufw configuration in the output')
  if (sawStatus && info.active) info.rules = rules
  if (info.enabled === false && info.active === undefined) info.active = false
  for (const k of Object.keys(info) as (keyof UfwInfo)[]) if (info[k] === undefined) delete info[k]
  return info
}

/**
 * Parses the `kernel` command: `absent FILE`, `denied FILE`, or `read FILE` then `table FILE NAME` lines, for
 * /proc/net/ip_tables_names and ip6_tables_names; then `nf_tables loaded|not-loaded|unknown`.
 */
export function parseKernelTables(text: string): KernelTablesData & {read: string[]; denied: string[]} {
  const files: Record<string, string[] | undefined> = {}
  const read: string[] = []
  const denied: string[] = []
  let nfTables: KernelTablesData['nfTables'] | undefined
  for (const [i, raw] of lines(text).entries()) {
    const line = raw.trim()
    if (line === '') continue
    const m = /^(absent|denied|read) (\/proc\/net\/ip6?_tables_names)$/.exec(line)
    const t = /^table (\/proc\/net\/ip6?_tables_names) (\S+)$/.exec(line)
    const nf = /^nf_tables (loaded|not-loaded|unknown)$/.exec(line)
    if (m) {
      if (m[1] === 'denied') {
        denied.push(m[2]!)
        continue
      }
      files[m[2]!] = []
      read.push(m[2]!)
    } else if (t) {
      const list = files[t[1]!]
      if (!list) throw new ParseError(`a table of ${t[1]} before "read ${t[1]}"`, i + 1)
      if (!list.includes(t[2]!)) list.push(t[2]!)
    } else if (nf) {
      nfTables = nf[1] as KernelTablesData['nfTables']
      if (nfTables !== 'unknown') read.push('/proc/modules')
    } else throw new ParseError(`not a kernel tables line: ${JSON.stringify(line.slice(0, 60))}`, i + 1)
  }
  if (nfTables === undefined) throw new ParseError('no "nf_tables" line')
  const v4 = files['/proc/net/ip_tables_names']
  const v6 = files['/proc/net/ip6_tables_names']
  return {...(v4 ? {ipTables: v4} : {}), ...(v6 ? {ip6Tables: v6} : {}), nfTables, read, denied}
}

/** Parses the `firewalld` command: `running` or `stopped`, then `DefaultZone=…` when configured. */
export function parseFirewalld(text: string): {running: boolean; defaultZone?: string} {
  const ls = lines(text).map((l) => l.trim())
  const state = ls[0]
  if (state !== 'running' && state !== 'stopped') throw new ParseError('expected "running" or "stopped"', 1)
  const zone = ls.map((l) => /^DefaultZone=\s*([A-Za-z0-9_.-]+)\s*$/.exec(l)?.[1]).find(Boolean)
  return {running: state === 'running', ...(zone ? {defaultZone: zone} : {})}
}

// nf_tables (and iptables-legacy's ip_tables) load on first use: list them only when loaded or built in.
const NFT_LOADED = `{ grep -q '^nf_tables ' /proc/modules 2>/dev/null || ! grep -qs '/nf_tables\\.ko' "/lib/modules/$(uname -r)/modules.dep"; }`

const IPTABLES_COMMAND = [
  'command -v iptables >/dev/null 2>&1 || command -v ip6tables >/dev/null 2>&1 || return 127',
  'for t in iptables ip6tables; do',
  '  command -v $t >/dev/null 2>&1 || continue',
  `  echo "==> $t"; v=$($t -V 2>&1); echo "$v"`,
  '  case $v in',
  `    *nf_tables*) ${NFT_LOADED} || { echo '${NOT_LOADED}'; continue; } ;;`,
  // legacy: /proc/net/ip{,6}_tables_names lists loaded tables (root only); filter absent => nothing to list
  `    *) p=/proc/net/ip_tables_names; [ $t = ip6tables ] && p=/proc/net/ip6_tables_names`,
  `       if [ ! -e $p ]; then echo '${NOT_LOADED}'; continue; fi`,
  `       if [ -r $p ] && ! grep -qx filter $p; then echo '${NOT_LOADED}'; continue; fi ;;`,
  '  esac',
  '  if o=$($t -S 2>&1); then rc=0; printf "%s\\n" "$o"; else rc=$?; printf "%s\\n" "$o" >&2',
  '    case $o in *ermission*|*must\\ be\\ root*|*not\\ permitted*) rc=4;; esac; fi',
  // printf, not echo "# exit …": the word exit outside single quotes reads as the end of a part (partsCommand)
  `  printf '# exit %s\\n' "$rc"`,
  'done',
].join('\n')

// what the kernel holds, without any firewall tool: the legacy tables' names (root only) and whether nf_tables is loaded
const KERNEL_COMMAND = [
  'for p in /proc/net/ip_tables_names /proc/net/ip6_tables_names; do',
  '  if [ ! -e $p ]; then echo "absent $p"; elif [ -r $p ]; then echo "read $p"; sed "s|^|table $p |" $p; else echo "denied $p"; fi',
  'done',
  "if [ -r /proc/modules ] && grep -q '^nf_tables ' /proc/modules; then echo 'nf_tables loaded'",
  `elif [ -r /proc/modules ] && grep -qs '/nf_tables\\.ko' "/lib/modules/$(uname -r)/modules.dep"; then echo 'nf_tables not-loaded'`,
  "else echo 'nf_tables unknown'; fi",
].join('\n')

export const firewallProbe = defineProbe({
  section: firewallSection,
  platforms: ['Linux'],
  // five small commands, one subshell (ProbeSpec.grouped)
  grouped: true,
  commands: {
    nft: `command -v nft >/dev/null 2>&1 || return 127; ${NFT_LOADED} || { echo '${NOT_LOADED}'; return 0; }; nft list ruleset`,
    iptables: IPTABLES_COMMAND,
    ufw: [
      '[ -e /etc/ufw/ufw.conf ] || command -v ufw >/dev/null 2>&1 || return 127',
      `for f in /etc/ufw/ufw.conf /etc/default/ufw; do [ -r $f ] && { echo "==> $f"; grep -E '^[[:space:]]*[A-Z_0-9]+=' $f; }; done`,
      // ufw status (root) only matters when the configuration enables it
      `if grep -qiE '^[[:space:]]*ENABLED=["]?yes' /etc/ufw/ufw.conf 2>/dev/null; then echo '==> status'; ufw status verbose 2>&1; fi; return 0`,
    ].join('\n'),
    firewalld: [
      'command -v firewalld >/dev/null 2>&1 || [ -e /usr/sbin/firewalld ] || return 127',
      'if pidof -x firewalld >/dev/null 2>&1; then echo running; else echo stopped; fi',
      'grep -s "^DefaultZone=" /etc/firewalld/firewalld.conf; return 0',
    ].join('\n'),
    kernel: KERNEL_COMMAND,
  },
  interpret(out) {
    const data: FirewallData = {tools: []}
    const read: string[] = []
    const needRoot: string[] = []
    const other: string[] = []
    const note = (o: CommandOutput | undefined, what: string) => {
      if (deniedByPermissions(o)) needRoot.push(what)
      else {
        const f = failure(o, what)
        if (f && !notInstalled(o)) other.push(f.reason!)
      }
    }

    const nft: CommandOutput | undefined = out.nft
    if (nft?.ran && !notInstalled(nft) && !nft.timedOut) data.tools.push('nft')
    if (succeeded(nft)) {
      data.nftables = parseNftRuleset(nft.stdout)
      read.push(data.nftables.loaded ? 'nft list ruleset' : 'nf_tables not loaded')
    } else note(nft, 'nft ruleset')

    if (succeeded(out.iptables)) {
      data.tools.push('iptables')
      const ipt = parseIptables(out.iptables.stdout)
      const readable = ipt.views.filter((v) => !ipt.denied.includes(v.command))
      if (readable.length > 0 || ipt.denied.length === 0) data.iptables = readable
      for (const v of readable) read.push(v.loaded ? `${v.command} -S` : `${v.command}: not loaded`)
      for (const c of ipt.denied) needRoot.push(`${c} rules`)
      if (ipt.failed.length) data.errors = ipt.failed
    } else note(out.iptables, 'iptables')

    let ufw: UfwInfo | undefined
    if (succeeded(out.ufw)) {
      data.tools.push('ufw')
      ufw = parseUfw(out.ufw.stdout)
      const {statusDenied, ...rest} = ufw
      data.ufw = rest
      read.push(rest.active === undefined || rest.enabled === false ? 'ufw configuration' : 'ufw status')
      if (statusDenied) needRoot.push('ufw status')
    } else note(out.ufw, 'ufw')

    if (succeeded(out.firewalld)) {
      data.tools.push('firewalld')
      data.firewalld = parseFirewalld(out.firewalld.stdout)
      read.push('firewalld process')
    } else note(out.firewalld, 'firewalld')

    if (succeeded(out.kernel)) {
      const {read: files, denied, ...kernel} = parseKernelTables(out.kernel.stdout)
      data.kernel = kernel
      read.push(...files)
      if (denied.length > 0) needRoot.push('kernel tables')
    } else note(out.kernel, 'kernel tables')
    if (read.length > 0) data.read = read

    const view = viewOf(data, needRoot)
    Object.assign(data, summarize(data, view.complete))
    // what is missing for a verdict, when nothing else gave one
    const why = view.why.filter((w) => w !== 'needs root')
    const blind = data.active === undefined && why.length > 0 ? [`cannot tell whether rules filter traffic: ${why.join('; ')}`] : []

    const hasData = data.ufw !== undefined || data.firewalld !== undefined || data.nftables !== undefined || data.iptables !== undefined || data.kernel !== undefined
    if (needRoot.length) {
      const reason = [`needs root: ${needRoot.join(', ')}`, ...blind, ...other].join('; ')
      return hasData ? {status: 'partial', reason, data} : {status: 'unavailable', reason}
    }
    const missing = [...blind, ...other]
    if (missing.length === 0) return {status: 'ok', data}
    return hasData ? {status: 'partial', reason: missing.join('; '), data} : {status: 'unavailable', reason: missing.join('; ')}
  },
})

/**
 * Whether what was read shows every rule that can filter traffic, and if not why: nf_tables rules are seen through
 * `nft` (or iptables-nft's view of its tables), unless the kernel says nf_tables is not loaded; legacy rules through
 * iptables-legacy, needed only when the kernel holds a legacy filter table (or cannot say, having no such file).
 */
export function viewOf(d: FirewallData, needRoot: readonly string[]): {complete: boolean; why: string[]} {
  const why: string[] = []
  if (needRoot.some((w) => w === 'nft ruleset' || w.endsWith(' rules'))) return {complete: false, why: ['needs root']}
  const k = d.kernel
  const nftSeen = d.nftables !== undefined || (d.iptables ?? []).some((v) => v.variant === 'nf_tables')
  if (!nftSeen && k?.nfTables !== 'not-loaded') {
    why.push(`nf_tables ${k ? (k.nfTables === 'loaded' ? 'is loaded' : 'may be built in (no module list)') : 'state unknown'} and no nft${d.tools.includes('iptables') ? ' or iptables-nft' : ''} listed its rules`)
  }
  for (const [command, names] of [['iptables', k?.ipTables], ['ip6tables', k?.ip6Tables]] as const) {
    const legacySeen = (d.iptables ?? []).some((v) => v.command === command && v.variant === 'legacy')
    if (legacySeen) continue
    if (names?.includes('filter')) why.push(`the kernel holds a legacy ${command} filter table and no ${command}-legacy listed it`)
  }
  if (why.length > 0 && !d.tools.some((t) => t === 'nft' || t === 'iptables')) why.unshift('no nft or iptables installed')
  return {complete: why.length === 0, why}
}

/** The summary: active, backend, inputPolicy, from what could be read; only when the view is complete. */
export function summarize(d: FirewallData, completeView: boolean): Pick<FirewallData, 'active' | 'backend' | 'inputPolicy'> {
  if (d.firewalld?.running) return {active: true, backend: 'firewalld'}
  if (d.ufw?.active) return {active: true, backend: 'ufw', ...(d.ufw.defaultInput ? {inputPolicy: d.ufw.defaultInput} : {})}
  if (!completeView) return {}
  const strictest = (ps: (string | undefined)[]): PolicyName => {
    const l = ps.map((p) => p?.toLowerCase())
    return l.includes('drop') ? 'drop' : l.includes('reject') ? 'reject' : 'accept'
  }
  // iptables-nft rules show in the nft ruleset too; legacy ones only in iptables -S
  const legacy = (d.iptables ?? []).filter((v) => v.variant === 'legacy' && v.loaded)
  const legacyRules = legacy.some((v) => v.chains.some((c) => c.rules > 0 || (c.policy !== undefined && c.policy !== 'ACCEPT')))
  if (legacyRules) {
    const input = legacy.flatMap((v) => v.chains.filter((c) => c.name === 'INPUT').map((c) => c.policy))
    return {active: true, backend: 'iptables-legacy', inputPolicy: strictest(input)}
  }
  const chains = (d.nftables?.tables ?? []).flatMap((t) => t.chains.map((c) => ({...c, table: t})))
  const filtering = chains.filter((c) => c.type === 'filter' || c.type === undefined)
  const nftActive = filtering.some((c) => c.rules > 0 || (c.policy !== undefined && c.policy !== 'accept'))
  if (nftActive) {
    const iptNft = (d.iptables ?? []).some((v) => v.variant === 'nf_tables' && v.chains.some((c) => c.rules > 0 || c.policy !== 'ACCEPT'))
    const onlyXtables = d.nftables!.tables.every((t) => ['filter', 'nat', 'mangle', 'raw', 'security'].includes(t.name) && ['ip', 'ip6'].includes(t.family))
    const input = filtering.filter((c) => c.hook === 'input').map((c) => c.policy)
    return {active: true, backend: iptNft && onlyXtables ? 'iptables-nft' : 'nftables', inputPolicy: strictest(input)}
  }
  return {active: false, backend: 'none', inputPolicy: 'accept'}
}
