import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines, needs, succeeded, toInt} from './kit/probe-helpers.js'
import {processesOf, processTable, type ProcessInfo} from './kit/process-table.js'
import {servicesSection, type Service, type ServicesData} from '../src/model/sections/services.js'

export interface InitInfo {
  pid1?: string
  has: Set<string>
}

/** Parses the `init` command: `pid1 COMM`, then `has PATH` lines. */
export function parseInit(text: string): InitInfo {
  const info: InitInfo = {has: new Set()}
  for (const [i, line] of lines(text).entries()) {
    const m = /^(pid1|has) ?(.*)$/.exec(line)
    if (!m) throw new ParseError('expected "pid1 COMM" or "has PATH"', i + 1)
    if (m[1] === 'pid1') {
      const c = m[2]!.trim()
      if (c) info.pid1 = c
    } else info.has.add(m[2]!.trim())
  }
  return info
}

export interface SystemdUnit {
  name: string
  load: string
  active: string
  sub: string
  description?: string
}

/** Parses `systemctl list-units --type=service --all --no-legend --no-pager --plain`. */
export function parseListUnits(text: string): SystemdUnit[] {
  const out: SystemdUnit[] = []
  for (const [i, line] of lines(text).entries()) {
    const t = line.replace(/^\s*(?:●|\*)\s*/, '').trim()
    if (t === '') continue
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(t)
    if (!m || !/\.[a-z]+$/.test(m[1]!)) throw new ParseError('expected "UNIT LOAD ACTIVE SUB DESCRIPTION"', i + 1)
    out.push({name: m[1]!, load: m[2]!, active: m[3]!, sub: m[4]!, ...(m[5]?.trim() ? {description: m[5].trim()} : {})})
  }
  return out
}

/** Parses `systemctl list-unit-files --type=service --no-legend --no-pager`: `UNIT STATE [PRESET]`. */
export function parseListUnitFiles(text: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const [i, line] of lines(text).entries()) {
    const t = line.trim()
    if (t === '') continue
    const m = /^(\S+\.[a-z]+)\s+([a-z-]+)(?:\s+\S+)?$/.exec(t)
    if (!m) throw new ParseError('expected "UNIT STATE [PRESET]"', i + 1)
    map.set(m[1]!, m[2]!)
  }
  return map
}

const ENABLED = new Set(['enabled', 'enabled-runtime', 'linked', 'linked-runtime'])
const DISABLED = new Set(['disabled', 'masked', 'masked-runtime'])

function enabledOf(fileState: string | undefined): boolean | undefined {
  if (fileState === undefined) return undefined
  if (ENABLED.has(fileState)) return true
  if (DISABLED.has(fileState)) return false
  return undefined
}

/** Merges loaded units and unit files into one list of services (templates and aliases left out). */
export function systemdServices(units: SystemdUnit[], files: Map<string, string> | undefined): Service[] {
  const byName = new Map<string, Service>()
  for (const u of units) {
    if (u.load === 'not-found') continue // referenced by another unit, not installed
    const fileState = files?.get(u.name) ?? files?.get(u.name.replace(/@[^.]*\./, '@.'))
    const state = u.active === 'failed' ? 'failed' : u.active === 'inactive' ? 'stopped' : /^(active|activating|reloading|deactivating|refreshing)$/.test(u.active) ? 'running' : 'unknown'
    const enabled = enabledOf(fileState)
    byName.set(u.name, {
      name: u.name,
      state,
      ...(enabled !== undefined ? {enabled} : {}),
      subState: u.sub,
      ...(fileState ? {unitFileState: fileState} : {}),
      ...(u.description ? {description: u.description} : {}),
    })
  }
  for (const [name, fileState] of files ?? []) {
    if (byName.has(name) || /@\./.test(name) || fileState === 'alias') continue
    const enabled = enabledOf(fileState)
    // not loaded: systemd loads every unit that is active or wanted, so this one is stopped
    byName.set(name, {name, state: 'stopped', ...(enabled !== undefined ? {enabled} : {}), unitFileState: fileState})
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export interface InitScripts {
  scripts: string[]
  /** Script names with an S link in /etc/rc[2-5S].d or an entry in an OpenRC runlevel. */
  enabled: Set<string>
  /** Pid file path → pid it holds. */
  pidFiles: Map<string, number>
  /** Script name → the raw `VAR=value`, `--pidfile X`, `--exec X` hints found in it. */
  hints: Map<string, string[]>
}

/**
 * Parses the `sysv` command: `script NAME`, `link PATH` (S links and OpenRC runlevel entries), `PIDFILE:PID`
 * (grep of /run/*.pid) and `/etc/init.d/NAME:HINT` (grep -o of the scripts).
 */
export function parseInitScripts(text: string): InitScripts {
  const r: InitScripts = {scripts: [], enabled: new Set(), pidFiles: new Map(), hints: new Map()}
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    let m: RegExpExecArray | null
    if ((m = /^script (\S+)$/.exec(line))) r.scripts.push(m[1]!)
    else if ((m = /^link \/etc\/rc[2-5S]\.d\/S\d*(\S+)$/.exec(line))) r.enabled.add(m[1]!)
    else if ((m = /^link \/etc\/runlevels\/[^/\s]+\/(\S+)$/.exec(line))) r.enabled.add(m[1]!)
    else if ((m = /^link \S+$/.exec(line))) continue
    else if ((m = /^\/etc\/init\.d\/([^:\s]+):(.+)$/.exec(line))) {
      const list = r.hints.get(m[1]!) ?? []
      list.push(m[2]!.trim())
      r.hints.set(m[1]!, list)
    } else if ((m = /^(\/run\/\S+\.pid):\s*(\d+)\s*$/.exec(line))) {
      const pid = toInt(m[2])
      if (pid !== undefined) r.pidFiles.set(m[1]!, pid)
    } else if (/^\/run\/\S+:/.test(line)) continue // pid file holding something else
    else throw new ParseError('unexpected line in the init scripts listing', i + 1)
  }
  return r
}

function unquote(v: string): string {
  return v.replace(/["']/g, '')
}

/**
 * Guesses whether an init script's service runs, without running the script:
 * 1. pid files it names (--pidfile, PIDFILE=), /run/$NAME.pid or /run/SCRIPT.pid: present → running if that pid lives, else stopped;
 * 2. daemons it starts (--exec, basename, as comm truncates to 15 characters): one runs → running, none → stopped;
 * 3. a script that names no daemon: a process called like the script → running, else unknown (oneshots
 *    such as procps or hwclock.sh start nothing that stays).
 */
export function stateOfScript(name: string, scripts: InitScripts, procs: readonly ProcessInfo[]): Service['state'] {
  const vars = new Map<string, string>()
  const pidFiles = new Set<string>([`/run/${name}.pid`])
  const execs = new Set<string>()
  const hints = scripts.hints.get(name) ?? []
  for (const h of hints) {
    const m = /^\s*([A-Z_]+)=(.*)$/.exec(h)
    if (m && !vars.has(m[1]!)) vars.set(m[1]!, unquote(m[2]!))
  }
  const expand = (v: string) => {
    let s = unquote(v)
    for (let k = 0; k < 3 && s.includes('$'); k++) s = s.replace(/\$\{?([A-Za-z_]+)\}?/g, (all, n: string) => vars.get(n) ?? all)
    return s.includes('$') ? undefined : s
  }
  for (const h of hints) {
    const m = /^--(pidfile|exec)\s+(\S+)$/.exec(h)
    const value = m ? expand(m[2]!) : undefined
    if (m && value) (m[1] === 'pidfile' ? pidFiles : execs).add(value)
  }
  const pf = vars.get('PIDFILE') === undefined ? undefined : expand(vars.get('PIDFILE')!)
  if (pf?.startsWith('/')) pidFiles.add(pf)
  const daemonName = vars.get('NAME') === undefined ? undefined : expand(vars.get('NAME')!)
  if (daemonName && /^[\w.-]+$/.test(daemonName)) pidFiles.add(`/run/${daemonName}.pid`)
  const alive = new Set(procs.map((p) => p.pid))
  const comms = new Set(procs.filter((p) => !p.kernelThread).map((p) => p.comm))
  let sawPidFile = false
  for (const f of pidFiles) {
    const pid = scripts.pidFiles.get(f.replace(/^\/var\/run\//, '/run/'))
    if (pid === undefined) continue
    if (alive.has(pid)) return 'running'
    sawPidFile = true
  }
  const daemons = [...execs].map((e) => e.slice(e.lastIndexOf('/') + 1).slice(0, 15)).filter(Boolean)
  if (daemons.some((d) => comms.has(d))) return 'running'
  if (daemons.length > 0 || sawPidFile) return 'stopped'
  return comms.has(name.replace(/\.sh$/, '').slice(0, 15)) ? 'running' : 'unknown'
}

/** Scripts of /etc/init.d that are helpers of the init system, not services. */
const NOT_SERVICES = new Set(['README', 'skeleton', 'rc', 'rcS', 'functions', 'halt', 'reboot', 'single', 'sendsigs', 'killprocs'])

export const servicesProbe = defineProbe({
  section: servicesSection,
  platforms: ['Linux'],
  grouped: true,
  commands: {
    init:
      "printf 'pid1 '; cat /proc/1/comm 2>/dev/null || echo; " +
      'for p in /run/systemd/system /run/openrc /etc/init.d /etc/runlevels; do [ -e "$p" ] && echo "has $p"; done; return 0',
    units: `[ -d /run/systemd/system ] || return 3; ${needs('systemctl', 'systemctl list-units --type=service --all --no-legend --no-pager --plain', 'return')}`,
    unitFiles: `[ -d /run/systemd/system ] || return 3; ${needs('systemctl', 'systemctl list-unit-files --type=service --no-legend --no-pager', 'return')}`,
    sysv:
      '[ -d /run/systemd/system ] && return 0; [ -d /etc/init.d ] || return 3; ' +
      'for f in /etc/init.d/*; do [ -f "$f" ] && [ -x "$f" ] && echo "script ${f##*/}"; done; ' +
      'for f in /etc/rc[2345S].d/S* /etc/runlevels/*/*; do [ -e "$f" ] && echo "link $f"; done; ' +
      'grep -s -H . /run/*.pid /run/*/*.pid; ' +
      "grep -s -H -o -E '^[[:space:]]*(DAEMON|NAME|PIDFILE)=[^[:space:];]*|--(pidfile|exec)[[:space:]]+[^[:space:];]+' /etc/init.d/*; return 0",
  },
  shared: {processes: processTable},
  interpret(out, context) {
    const initFail = failure(out.init, 'init')
    if (initFail) return initFail
    const init = parseInit(out.init!.stdout)
    const missing: string[] = []
    let procs: readonly ProcessInfo[] = []
    if (succeeded(out.processes)) {
      procs = processesOf(out.processes)
      if (!context.privileged && !procs.some((p) => p.pid === 1)) missing.push("needs root: other users' processes (/proc hidepid)")
    } else missing.push(failure(out.processes, 'processes')!.reason!)
    const processes = [...new Set(procs.filter((p) => !p.kernelThread).map((p) => p.comm))].sort()
    const pid1 = init.pid1 ?? procs.find((p) => p.pid === 1)?.comm
    const manager: ServicesData['manager'] = init.has.has('/run/systemd/system')
      ? 'systemd'
      : pid1 === 'openrc-init' || (pid1 === 'init' && init.has.has('/run/openrc'))
        ? 'openrc'
        : pid1 === 'init'
          ? 'sysvinit'
          : 'none'
    const base = {manager, ...(pid1 ? {pid1} : {}), processes}
    if (manager === 'systemd') {
      const fail = failure(out.units, 'systemctl list-units')
      if (fail) return fail
      let files: Map<string, string> | undefined
      if (succeeded(out.unitFiles)) files = parseListUnitFiles(out.unitFiles.stdout)
      else missing.push(`${failure(out.unitFiles, 'systemctl list-unit-files')!.reason} (enabled states)`)
      const data: ServicesData = {...base, source: 'systemctl', stateFrom: 'manager', services: systemdServices(parseListUnits(out.units!.stdout), files)}
      return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
    }
    let services: Service[] = []
    let source: ServicesData['source'] = 'none'
    if (succeeded(out.sysv)) {
      const scripts = parseInitScripts(out.sysv.stdout)
      source = 'init.d'
      services = scripts.scripts
        .filter((s) => !NOT_SERVICES.has(s) && !s.startsWith('.') && !s.endsWith('~') && !s.endsWith('.dpkg-dist'))
        .sort()
        .map((name) => ({
          name,
          state: procs.length > 0 ? stateOfScript(name, scripts, procs) : 'unknown',
          // with no rc links at all the runlevel layout is unknown, not "disabled"
          ...(scripts.enabled.size > 0 || init.has.has('/etc/runlevels') ? {enabled: scripts.enabled.has(name)} : {}),
        }))
    } else {
      const reason = failure(out.sysv, '/etc/init.d')!.reason!
      if (!reason.endsWith('not present')) missing.push(reason)
    }
    if (manager === 'none') {
      missing.unshift(
        `no service manager runs (PID 1 is ${pid1 ?? 'unknown'})` +
          (source === 'init.d' ? ': init scripts listed, their states guessed from pid files and processes' : ''),
      )
    }
    const data: ServicesData = {...base, source, stateFrom: 'heuristic', services}
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
