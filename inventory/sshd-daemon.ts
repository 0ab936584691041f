import {ParseError} from './kit/parse-error.js'
import {IN_BASH5, lines, toInt} from './kit/probe-helpers.js'

/**
 * The running sshd, not only its files: which daemon listens, and the `-f`/`-o` arguments it was started with.
 *
 * A probe's commands are sent in one batch, so the daemon's command line must become `sshd -T`'s arguments on the
 * host itself. One shell function does that (`_sshd_args`), with the shell's own `getopts` and sshd's option string:
 * no `eval`, no globbing, word splitting only. It prints what it passes on, and the `daemon` command prints that
 * again; the parsers here read it. Nothing on the command line is ever evaluated.
 */

/** sshd's getopt string (OpenSSH 7.4 to 9.x): `getopts` splits the command line exactly as sshd did. */
export const SSHD_GETOPT = 'C:E:b:c:f:g:h:k:o:p:u:46DGQRTdeiqrtV'

/** Options that change the configuration and are passed on to `sshd -T`; the others (-D, -e, -E LOG, -d, …) are not. */
const PASSED_WITH_ARGUMENT = 'fohp'
const PASSED_ALONE = '46'

const NL = "'\n'"

/**
 * Shell functions shared by the probe's commands:
 * - `_sshd_find` sets `_P` (pid), `_S` (how it was found), `_U` (its uid) and `_L` (listeners seen in /proc): the
 *   topmost sshd among this shell's ancestors (the listener that accepted the SSH session), else systemd's
 *   ssh/sshd.service MainPID, else the one root sshd whose parent is no sshd.
 * - `_sshd_args FILE` prints argv[0] then, one a line, the configuration arguments of a /proc/PID/cmdline FILE; it
 *   fails (2) on a control or non-ASCII byte and (3) on a rewritten title without the daemon's arguments.
 */
export const SSHD_FUNCTIONS = [
  `_sshd_st() { _R=; while read -r _k _v _r; do [ "$_k" = "$2" ] && { _R=$_v; return 0; }; done < "/proc/$1/status"; return 1; } 2>/dev/null`,
  `_sshd_comm() { _R=; read -r _R < "/proc/$1/comm"; } 2>/dev/null`,
  '_sshd_find() {',
  '  _P=; _S=; _U=; _L=; _top=; _p=$$',
  '  while [ -n "$_p" ] && [ "$_p" -gt 1 ] 2>/dev/null; do',
  '    _sshd_comm "$_p"',
  '    case $_R in sshd|sshd-session) _top=$_p;; *) [ -n "$_top" ] && break;; esac',
  '    _sshd_st "$_p" PPid: || break; _p=$_R',
  '  done',
  '  if [ -n "$_top" ]; then _P=$_top; _S=ssh-session',
  '  else',
  // systemd runs (sd_booted): one call for both names the unit goes by
  '    [ -d /run/systemd/system ] && for _m in $(systemctl show -p MainPID --value ssh.service sshd.service 2>/dev/null); do',
  '      case $_m in 0|*[!0-9]*) ;; *) _P=$_m; _S=systemd; break;; esac',
  '    done',
  '  fi',
  '  if [ -z "$_P" ]; then',
  '    _L=0',
  '    for _d in /proc/[0-9]*; do',
  '      _q=${_d#/proc/}; _sshd_comm "$_q"; [ "$_R" = sshd ] || continue',
  '      _sshd_st "$_q" Uid: && [ "$_R" = 0 ] || continue',
  '      _sshd_st "$_q" PPid: || continue; _sshd_comm "$_R"; [ "$_R" = sshd ] && continue',
  '      _L=$((_L + 1)); _c=$_q',
  '    done',
  '    [ "$_L" = 1 ] && { _P=$_c; _S=proc; }',
  '  fi',
  '  [ -n "$_P" ] && _sshd_st "$_P" Uid: && _U=$_R',
  '  return 0',
  '}',
  // a word holding a byte that is not printable ASCII (newline aside: it separates the arguments)
  `_sshd_bad="*[! -~${'\n'}]*"`,
  // call it in $(…): it changes IFS and set -f
  '_sshd_args() {',
  '  [ -r "$1" ] || return 1',
  // NUL separates the arguments, and the arguments become lines; one holding a newline is refused (2), as the other
  // control bytes are below. Bash 5 reads them itself (a program less in each of the commands below); elsewhere tr
  // turns that newline into \001, which is such a byte
  `  if ${IN_BASH5}; then`,
  `    _t=; while IFS= read -r -d '' _w || [ -n "$_w" ]; do [ -n "$_w" ] || continue; case $_w in *${NL}*) return 2;; esac; if [ -n "$_t" ]; then _t="$_t"${NL}"$_w"; else _t=$_w; fi; done < "$1" || return 1`,
  `  else _t=$(tr '\\000\\n' '\\n\\001' < "$1") || return 1; fi`,
  '  [ -n "$_t" ] || return 1',
  '  case $_t in $_sshd_bad) return 2;; esac',
  '  set -f',
  '  case $_t in',
  `    'sshd: '*' [listener] '*) _t=\${_t#sshd: }; _t=\${_t%% \\[listener\\] *}; IFS=' '; set -- $_t ;;`,
  `    'sshd: '*|'sshd-session: '*) return 3 ;;`,
  `    *) IFS=${NL}; set -- $_t ;;`,
  '  esac',
  `  IFS=' '; _o="$1"; _k=; shift`,
  '  while [ $# -gt 0 ]; do',
  '    OPTIND=1',
  `    while getopts ':${SSHD_GETOPT}' _c; do`,
  `      [ -n "$_k" ] && { _o="$_o"${NL}-o${NL}"$_k"; _k=; }`,
  '      case $_c in',
  '        o) _k=$OPTARG ;;',
  `        [${PASSED_WITH_ARGUMENT.replace('o', '')}]) _o="$_o"${NL}"-$_c"${NL}"$OPTARG" ;;`,
  `        [${PASSED_ALONE}]) _o="$_o"${NL}"-$_c" ;;`,
  '      esac',
  '    done',
  '    shift $((OPTIND - 1))',
  // in a rewritten title, the words after an -o argument are the rest of its value ("-o Banner /x" was "-o 'Banner /x'")
  '    while [ $# -gt 0 ]; do case $1 in -?*) break;; esac; [ -n "$_k" ] && _k="$_k $1"; shift; done',
  '  done',
  `  [ -n "$_k" ] && _o="$_o"${NL}-o${NL}"$_k"`,
  `  printf '%s\\n' "$_o"`,
  '}',
  // once a shell (the probe's parts share one, ProbeSpec.grouped): the daemon found (_sshd_find), and, when it runs as
  // root, what _sshd_args printed of its command line (_A) and its status (_Ar); `_a` its configuration arguments
  // (argv[0] left out) when they read, else nothing
  '_sshd_once() {',
  '  [ -n "${_sshd_k:-}" ] && return 0; _sshd_k=1',
  '  _sshd_find; _A=; _Ar=1; _a=',
  '  [ "$_U" = 0 ] && { _A=$(_sshd_args "/proc/$_P/cmdline"); _Ar=$?; }',
  `  [ "$_Ar" = 0 ] && case $_A in *${NL}*) _a=\${_A#*${NL}};; esac`,
  '  return 0',
  '}',
].join('\n')

/**
 * The probe's commands are parts of one shell (ProbeSpec.grouped): each ends with `return`, leaves `set -f` and IFS
 * as it found them, and finds the daemon through `_sshd_once`, which the first of them runs and the others read.
 */

/** Prints the daemon found: `pid`, `source`, `uid`, `exe`, `argv0`, each `arg`, or why its arguments are not used. */
export const DAEMON_COMMAND = [
  SSHD_FUNCTIONS,
  '_sshd_once',
  `[ -n "$_P" ] || { printf 'none\\nlisteners %s\\n' "\${_L:-0}"; return 0; }`,
  `printf 'pid %s\\nsource %s\\nuid %s\\n' "$_P" "$_S" "$_U"`,
  `_e=$(readlink "/proc/$_P/exe" 2>/dev/null) && case $_e in $_sshd_bad) ;; *) printf 'exe %s\\n' "$_e";; esac`,
  `[ "$_U" = 0 ] || { printf 'unused uid\\n'; return 0; }`,
  `case $_Ar in 0) set -f; IFS=${NL}; _w=argv0; for _x in $_A; do printf '%s %s\\n' "$_w" "$_x"; _w=arg; done; unset IFS; set +f;; 2) printf 'unused control\\n';; 3) printf 'unused title\\n';; *) printf 'unused unreadable\\n';; esac`,
  'return 0',
].join('\n')

/** Runs `sshd -T` with the daemon's configuration arguments (none when no daemon, or its command line is not used). */
export const EFFECTIVE_COMMAND = [SSHD_FUNCTIONS, '_sshd_once', `set -f; IFS=${NL}; set -- $_a; unset IFS; set +f`, 'sshd -T "$@"'].join('\n')

/** Sets `_C` to the configuration file the daemon reads: its `-f FILE`, else /etc/ssh/sshd_config. */
export const CONFIG_FILE_PRELUDE = [
  SSHD_FUNCTIONS,
  '_sshd_once; _C=/etc/ssh/sshd_config',
  `set -f; IFS=${NL}; set -- $_a; unset IFS; set +f`,
  'while [ $# -gt 1 ]; do case $1 in -4|-6) shift;; *) [ "$1" = -f ] && _C=$2; shift 2;; esac; done',
].join('\n')

export type DaemonSource = 'ssh-session' | 'systemd' | 'proc'

export interface SshdOverride {
  keyword: string
  value: string
}

/** What the `daemon` command saw. */
export type DaemonReading =
  | {found: false; listeners: number}
  | {
      found: true
      pid: number
      source: DaemonSource
      uid?: number
      executable?: string
      /** The configuration arguments passed on to `sshd -T` (and applied to the files without root). */
      arguments: string[]
      /** Why the daemon's command line was not used. */
      unused?: 'uid' | 'control' | 'title' | 'unreadable'
    }

const SOURCES: readonly DaemonSource[] = ['ssh-session', 'systemd', 'proc']

/** Parses the `daemon` command's output. */
export function parseSshdDaemon(text: string): DaemonReading {
  const all = lines(text)
  if (all[0] === 'none') {
    const n = toInt(/^listeners (\d+)$/.exec(all[1] ?? '')?.[1])
    return {found: false, listeners: n ?? 0}
  }
  let pid: number | undefined
  let source: DaemonSource | undefined
  let uid: number | undefined
  let executable: string | undefined
  let argv0: string | undefined
  let unused: (DaemonReading & {found: true})['unused']
  const args: string[] = []
  for (const l of all) {
    const sp = l.indexOf(' ')
    const key = sp < 0 ? l : l.slice(0, sp)
    const value = sp < 0 ? '' : l.slice(sp + 1)
    if (key === 'pid') pid = toInt(value)
    else if (key === 'source') source = SOURCES.find((s) => s === value)
    else if (key === 'uid') uid = toInt(value)
    else if (key === 'exe') executable = value
    else if (key === 'argv0') argv0 = value
    else if (key === 'arg') args.push(value)
    else if (key === 'unused' && ['uid', 'control', 'title', 'unreadable'].includes(value)) unused = value as typeof unused
  }
  if (pid === undefined || pid < 1 || source === undefined) throw new ParseError('no daemon pid and source')
  const exe = executable ?? argv0
  return {
    found: true,
    pid,
    source,
    ...(uid !== undefined && uid >= 0 ? {uid} : {}),
    ...(exe ? {executable: exe} : {}),
    arguments: args,
    ...(unused ? {unused} : {}),
  }
}

/** An `-o` argument as sshd reads a configuration line: keyword, then `=` or blanks, then the value. */
export function splitOverride(arg: string): SshdOverride | undefined {
  const m = /^\s*([A-Za-z0-9]+)(?:\s*=\s*|\s+)(.*)$/.exec(arg)
  if (!m) return undefined
  return {keyword: m[1]!.toLowerCase(), value: m[2]!.trim()}
}

export interface DaemonArguments {
  configFile?: string
  /** `-o` overrides, and `-p`/`-h`/`-4`/`-6` as the keywords they stand for, in command-line order. */
  overrides: SshdOverride[]
  /** `-p` ports: sshd then ignores the files' Port lines. */
  ports: string[]
}

/** Reads the configuration arguments `_sshd_args` passed on (`-f FILE`, `-o K=V`, `-p N`, `-h FILE`, `-4`, `-6`). */
export function readDaemonArguments(args: readonly string[]): DaemonArguments {
  const out: DaemonArguments = {overrides: [], ports: []}
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]
    const value = args[i + 1]
    if (flag === '-4' || flag === '-6') {
      out.overrides.push({keyword: 'addressfamily', value: flag === '-4' ? 'inet' : 'inet6'})
      continue
    }
    if (value === undefined) break
    i++
    if (flag === '-f') out.configFile = value
    else if (flag === '-p') out.ports.push(value)
    else if (flag === '-h') out.overrides.push({keyword: 'hostkey', value})
    else if (flag === '-o') {
      const o = splitOverride(value)
      if (o) out.overrides.push(o)
    }
  }
  return out
}
