import {randomBytes} from 'node:crypto'

import type {CommandOutput} from '../../../inventory/kit/probe.js'
import {shQuote} from '../../model/shell-quote.js'
import type {CommandTransport} from '../../transport/transport.js'

/** One command of a batch. */
export interface BatchCommand {
  /** `probeId.commandName`: letters, digits, `.`, `_`, `-`. */
  key: string
  command: string
  timeoutMs: number
  /** `uname -s` values the command runs on; others skip it. */
  platforms: readonly string[]
  /**
   * A command of this many parts (a grouped probe's, probe-batch.ts), each timed as a command of its own: `timeoutMs`
   * is a part's. Under bash 5 the command's shell tells the watchdog as each part starts (an S line of its own, on
   * fd 4, with `$_HG`: the part's seconds and the command's key); under GNU timeout the whole has the parts' sum.
   */
  parts?: number
}

export interface BatchHeader {
  /** The host's clock when the script started, in ms since the epoch. */
  hostTimeMs?: number
  uid?: number
  os?: string
}

export interface BatchResult {
  header: BatchHeader
  outputs: Map<string, CommandOutput>
  /** Commands whose platform did not match. */
  skipped: Set<string>
  /** The auditor's clock when the header arrived (ms since the epoch), for clock comparison. */
  headerReceivedAtMs?: number
  sentAtMs: number
  /** Set when the batch as a whole failed or timed out; commands not reached have ran: false. */
  failure?: string
  durationMs: number
}

const KEY = /^[A-Za-z0-9_.-]+$/

/** What a forked bash subshell sets to run a command as `sh -c` would (see below); the bench of target work uses it too. */
export const AS_SH = 'set +B -o posix; shopt -s xpg_echo'

/**
 * Bash 5 (which has $EPOCHREALTIME) runs each command in a process group of its own (`set -m`), watched by one
 * watchdog for the whole batch: the batch shell writes an "S pid seconds key start" line as each command starts, and
 * when a command outlives its timeout (its process group still there) the watchdog prints a T marker, sends SIGTERM
 * to the group, and SIGKILL a second later (GNU timeout's `-k 1`). That spares a `timeout` process per command: ~26 ms
 * of the target's CPU a host (median 498 → 472 ms for every probe's commands, measured alternately). The watchdog
 * reads those lines only when it wakes, at the deadline it knows of or half the shortest timeout after its last look
 * (see below), not as each is written: a full inventory ends before it wakes at all, and a wake-up a command cost the
 * target ~0.1 ms (74 commands evaluating nothing, through a loopback sshd, its CPU counted by a cgroup, alternating:
 * 89.5 → 83.6 ms; the full inventory 271 → 264 ms). Other shells run `timeout -k 1 N sh -c` per command.
 *
 * Each command is evaluated in a forked subshell of the batch shell, not `sh -c`: a fork without an exec, ~0.4 ms of
 * the target's CPU a command less (75 commands: ~28 ms a host). The subshell is made to run the command as a POSIX
 * `sh -c` would: POSIX mode (bash's `sh`, as on RHEL), no brace expansion, XSI `echo` (backslash escapes, as
 * Debian's dash), no arguments, and none of the batch's own variables or functions. `$$` is the batch shell's pid
 * there (a subshell keeps its parent's), which is also a process under the same session.
 *
 * Its two streams (after the header, sent at once for the clock's reading) leave through `dd iflag=fullblock` in
 * blocks of 64 KB (`cat` where that dd is not): sshd sends what it reads from a session as one SSH packet, and the
 * batch writes each command's output and markers as they come, ~600 packets a host, each read, sealed and sent by
 * sshd and opened and handled by the controller; in blocks, a few. Ten loopback hosts, three alternating runs: the
 * target's CPU 259–268 → 246–249 ms a host, the controller's 69–71 → 56–58 ms; fifty, two: 261–263 → 248–258 ms and
 * 32–33 → 30 ms, the sweep 7.54–7.57 → 7.11–7.45 s. What a block holds reaches the controller when the batch ends,
 * so the batch ends itself before the controller's deadline for it (`budgetMs`, see runBatch): the watchdog cuts a
 * command at that budget as at its own timeout, the commands not started yet are skipped, and the batch exits 124,
 * all its output sent.
 */
/**
 * What a command of parts (BatchCommand.parts) puts around its parts (partsCommand's `around`): under a watchdog
 * (`$_HG`, set by _x below: the watchdog's clock, `u` for bash's µs or `c` for dash's centiseconds since boot, then
 * the part's seconds and the command's key), an S line as each part starts, in the format _x writes for a command, so
 * that each part is cut at its own timeout; the pid is the command's shell (under bash, its process group; under dash
 * `-`, the command's own, which its S line gave the watchdog: dash could only read it from /proc/self/stat, a byte a
 * system call, ~300 of them a part). The part itself does not get fd 4. Elsewhere nothing: GNU timeout gives the
 * whole the parts' sum.
 */
export const PART_WATCH = {
  start: '_hg=${_HG:-}; unset _HG',
  before:
    'case $_hg in' +
    ' u\\ *) _t=$EPOCHREALTIME; printf \'S %s %s %s%s\\n\' "$BASHPID" "${_hg#u }" "${_t%.*}" "${_t#*.}" >&4;;' +
    ` c\\ *) read -r _t _u < /proc/uptime; printf 'S - %s %s\\n' "\${_hg#c }" "${centiseconds('_t')}" >&4;;` +
    ' esac',
  call: ' 4>&-',
} as const

/** The batch's own functions and variables, which a command's subshell unsets before it evaluates the command. */
const BATCH_FUNCTIONS = '_x _r _s _e _now _late _fin _up'
const BATCH_VARIABLES = '_N _TO _OS _SH _PW _t _a _rc _p _c _pk _prc _pa _pt _BM _BD _MT _over _wn _wu'

/** Shell arithmetic: the centiseconds of the variable `name`, which holds /proc/uptime's seconds ("1234.05" → 123405; `1${…} - 100` keeps a leading 0 from meaning octal). */
function centiseconds(name: string): string {
  return `$(( \${${name}%.*} * 100 + 1\${${name}#*.} - 100 ))`
}

/** A stream in blocks (see bashWatchdog): its dd's own messages (and a refusal of fullblock) go nowhere, and cat passes it on where dd cannot. */
const BLOCKS = 'dd iflag=fullblock bs=65536 2>/dev/null || cat'

/**
 * `_x` under a watchdog: the command in a forked subshell of the batch shell (`prelude` first: under bash what makes
 * it act as `sh -c`) with nothing of the batch visible, no arguments and stdin from /dev/null; a command of parts
 * keeps fd 4 and `$_HG` (the watchdog's clock, `clock`, see PART_WATCH), any other loses fd 4. The watchdog is told
 * of its start (`start`, shell text, in its clock's unit) before the batch shell waits for it.
 */
function watchedX(clock: 'u' | 'c', prelude: string, redirect: string, start: string): string {
  const sub = `( ${prelude}_c=$3; if [ -n "$4" ]; then _HG="${clock} $2 $1"; else exec 4>&-; fi; set --; unset -f ${BATCH_FUNCTIONS}; eval "unset ${BATCH_VARIABLES}; $_c" ) </dev/null${redirect}`
  return `_x() { ${sub} & _p=$!; printf 'S %s %s %s %s\\n' "$_p" "$2" "$1" "${start}" >&4; { wait "$_p"; } 2>/dev/null; _rc=$?; }`
}

/** Each command under GNU `timeout -k 1 N sh -c` (a plain `sh -c` where there is no timeout): shells other than bash 5. */
const TIMEOUT_X = '_x() { if [ -n "$_TO" ]; then timeout -k 1 "$(( $2 * ${4:-1} ))" sh -c "$3" </dev/null; else sh -c "$3" </dev/null; fi; _rc=$?; }'

/** Bash's two streams through dd, in blocks (see above), where the output travels in packets (BatchScriptOptions.blocks). */
const BASH_BLOCKS = [
  // a stream in blocks: its dd's own messages (and a refusal of fullblock) go nowhere
  `  _blk() { ${BLOCKS}; }`,
  '  if command -v dd >/dev/null 2>&1 && command -v cat >/dev/null 2>&1; then exec 4>&2 2> >(_blk >&4 4>&-) > >(_blk 4>&-); exec 4>&-; fi',
]

/** Bash's watchdog and, where the output travels in packets (`blocks`), its streams in blocks. */
const bashWatchdog = (blocks: boolean): string[] => [
  // When the batch shell is gone, every command's process group still there is ended: what a command left running in
  // the background would hold the batch's output, which then would reach no one (a block is sent when the last
  // writer is gone), and an audit leaves nothing on its hosts. A group whose leader lives is ended only in this
  // session: one that died long ago may have left its id to another process (a group with members keeps its id).
  '  _wr() {',
  '    local p me= st',
  '    { IFS= read -r st < /proc/self/stat; } 2>/dev/null && { st=${st##*) }; set -- $st; me=$4; }',
  '    for p in $_all; do',
  '      kill -0 -- "-$p" 2>/dev/null || continue',
  '      if { IFS= read -r st < "/proc/$p/stat"; } 2>/dev/null; then st=${st##*) }; set -- $st; [ -n "$me" ] && [ "$4" = "$me" ] || continue; fi',
  '      kill -KILL -- "-$p" 2>/dev/null',
  '    done',
  '  }',
  // The watchdog sleeps on its stdin, a pipe the batch shell holds open and never writes to: it wakes when the shell
  // is gone (end of input) or when the time it chose has come, not as each command starts. Each command's start goes
  // on fd 4 ("S pid seconds key start-µs"), a pipe both of them hold open, which it reads only when awake; it then
  // knows the running command (the last line). It wakes at the running command's deadline, and half the batch's
  // shortest timeout (_MT s) after it last looked: a command started since then cannot be due before.
  '  _wd() {',
  '    local pid= dl= key= st=0 line rem _all= w now nx gone=',
  '    while :; do',
  '      w=${EPOCHREALTIME/./}',
  '      while read -r -t 0 -u 4; do',
  '        IFS= read -r -u 4 line || break',
  '        case $line in',
  '          S\\ *) set -- $line; pid=$2; dl=$(( $5 + $3 * 1000000 )); (( dl > _BD )) && dl=$_BD; key=$4; st=0; _all="$_all $pid" ;;',
  '        esac',
  '      done',
  '      [ -n "$gone" ] && { _wr; exit 0; }',
  '      now=${EPOCHREALTIME/./}',
  '      if [ -n "$pid" ] && (( dl <= now )); then',
  // no line says a command ended (the next one's S line does): one that ended just before its deadline has no group
  // left, and is not cut
  '        if ! kill -0 -- "-$pid" 2>/dev/null; then pid=',
  `        elif (( st == 0 )); then printf '\\n:%s:T:%s\\n' "$_N" "$key"; kill -TERM -- "-$pid" 2>/dev/null; st=1; dl=$(( now + 1000000 ))`,
  '        else kill -KILL -- "-$pid" 2>/dev/null; pid=; fi',
  '        continue',
  '      fi',
  '      nx=$(( w + _MT * 500000 )); [ -n "$pid" ] && (( dl < nx )) && nx=$dl; (( _BD < nx )) && nx=$_BD',
  '      rem=$(( nx - now )); (( rem < 1000 )) && rem=1000',
  "      printf -v rem '%d.%06d' $((rem / 1000000)) $((rem % 1000000))",
  // a read cut by its timeout returns > 128; end of input (the batch shell is gone): one more look at fd 4, for the
  // commands to end, and out
  '      IFS= read -r -t "$rem" line; (( $? > 128 )) || gone=1',
  '    done',
  '  }',
  // the budget's end, in µs of the batch's clock; past it, no command starts (_late) and the watchdog cuts the running one
  '  _BD=$(( ${EPOCHREALTIME/./} + _BM * 1000 )); _late() { (( ${EPOCHREALTIME/./} >= _BD )); }',
  ...(blocks ? BASH_BLOCKS : []),
  '  set -m',
  // fd 4: a pipe opened for reading and writing (both ends), which the watchdog inherits; fd 3: the watchdog's stdin.
  // Both are opened through /dev/fd: where it cannot be (a chroot without /proc), there is no watchdog, and each
  // command runs under GNU timeout as in other shells
  "  if { exec 4<> <(:) && exec 3> >(_wd); } 2>/dev/null; then",
  // the notice bash prints for a job killed by a signal is not the command's output
  `    ${watchedX('u', `set +m; ${AS_SH}; `, ' 3>&-', '${_a/./}')}`,
  '  else',
  `    ${TIMEOUT_X}`,
  '  fi',
  // the watchdog's and the streams' functions are of their own processes: gone from the batch shell once they are
  // started, a command's subshell has fewer to unset. Each unset -f frees a function's parse tree, and on a host
  // where a page fault is dear every page that touches costs (a fork shares the parent's pages until written): 74
  // commands evaluating nothing made ~500 page faults fewer of ~12,400 (perf stat, this machine)
  '  unset -f _wd _wr _blk',
]


/**
 * Dash (Debian's and Ubuntu's sh, which the launcher prefers where it is) has no clock finer than a program's and no
 * job control without a terminal, but a fork of dash costs a third of one of bash (~30 page faults against ~110 for
 * the batch shell's subshell) and a program it starts less too: the full inventory's script, `perf stat` as the test
 * user, three alternating runs, ~24,500 page faults and ~940–1,000 ms of CPU under bash against ~13,600 and ~610–650
 * ms under dash. So where dash runs the batch on Linux, its commands are forked subshells as under bash, watched by
 * one watchdog of dash:
 *  - the clock is /proc/uptime's (centiseconds since boot; the header's time is `date`'s, once);
 *  - each command's start goes to the watchdog as under bash ("S pid seconds key start", start in centiseconds), on
 *    fd 4, a pipe, which it reads at once; it has no read with a timeout, so it keeps one timer (`sleep`, then a line
 *    to the same pipe) due at the running command's deadline, or the batch's budget, and started again only when it
 *    fires or a sooner one is needed: a batch that ends before its first deadline starts one `sleep`;
 *  - a command is cut with its descendants (/proc/PID/task/TID/children), SIGTERM, then SIGKILL a second later; at
 *    the end the watchdog ends what a command left running in the background (reparented to init or to a subreaper
 *    above the batch: children of the batch shell's ancestors that are in its process group and younger than it);
 *  - the streams leave in blocks through dd as under bash.
 * The pipes come from a pipeline: `_sr 8 | { _sr 9 | { _wd | _bw; }; }`, each of dd's and the watchdog's ends opened
 * again through /proc/self/fd in the direction wanted (a reader left of the body), the body last so that the batch's
 * exit status is the pipeline's. dd holds its own write end until the one who writes has opened its own and sent a
 * line, so that it never reads an end of file before the writing starts; the group that opened a stream's write end
 * keeps its read end, so that no write to it meets a pipe without a reader (SIGPIPE) before dd has opened its own.
 */
const shWatchdog = (blocks: boolean): string[] => [
  // centiseconds since boot, in _wn
  `  _up() { read -r _wn _wu < /proc/uptime; _wn=${centiseconds('_wn')}; }`,
  '  _now() { read -r _t _wu < /proc/uptime; }',
  // past the budget by the clock's last reading (_t: the last command's end, see _r)
  `  _up; _BD=$(( _wn + _BM / 10 )); _late() { [ ${centiseconds('_t')} -ge "$_BD" ]; }`,
  // a signal to a process and all its descendants, each one's children read before it is signalled
  '  _kt() {',
  '    _kc=; for _kf in /proc/$2/task/*/children; do _kl=; { read -r _kl < "$_kf"; } 2>/dev/null; _kc="$_kc $_kl"; done',
  '    kill -"$1" "$2" 2>/dev/null; for _kp in $_kc; do _kt "$1" "$_kp"; done',
  '  }',
  // a process in the batch's process group (read from /proc/PID/stat, past the command name)
  '  _ours() { _kl=; { read -r _kl < "/proc/$1/stat"; } 2>/dev/null; [ -n "$_kl" ] && set -- ${_kl##*) } && [ "$3" = "$$" ]; }',
  '  _wd() {',
  '    exec 0<>/proc/self/fd/1 3>&0 1>&7 2>/dev/null 6>&- 7>&- 8>&- 9>&-',
  '    _wp= _wl=0 _wk= _ws=0 _wa= _wb= _wr= _wz=0 _wi=0',
  '    while IFS= read -r _wq; do',
  '      case $_wq in',
  // a part's pid is `-`: its command's, given by the command's S line (which may come after the first part's); the
  // clock is the line's start, written as it was sent (the watchdog reads at once), else /proc/uptime's
  '        S\\ *) set -- $_wq; [ "$2" = - ] || { _wp=$2; _wa="$_wa $_wp"; }; _wn=$5; _wl=$(( $5 + $3 * 100 )); [ "$_wl" -le "$_BD" ] || _wl=$_BD; _wk=$4; _ws=0 ;;',
  '        P\\ *) set -- $_wq; _wb=$2; _up ;;',
  // a timer's line, by its number: one replaced may have written its own before it was ended
  '        "t $_wi") _wr=; _up ;;',
  '        X) break ;;',
  '        *) _up ;;',
  '      esac',
  '      if [ -n "$_wp" ] && [ "$_wn" -ge "$_wl" ]; then',
  // no line says a command ended (the next one's S line does): one that ended just before its deadline is not cut
  '        if ! kill -0 "$_wp" 2>/dev/null; then _wp=',
  `        elif [ "$_ws" = 0 ]; then printf '\\n:%s:T:%s\\n' "$_N" "$_wk"; _kt TERM "$_wp"; _ws=1; _wl=$(( _wn + 100 ))`,
  '        else _kt KILL "$_wp"; _wp=; fi',
  '      fi',
  // the batch's body gone (killed, or its SSH session cut): what it left is ended
  '      [ -z "$_wb" ] || kill -0 "$_wb" 2>/dev/null || break',
  // the timer: one at a time, due at the running command's deadline, or in 10 s when none runs (to see the body is
  // still there); one due later than needed is replaced. A batch that ends before its first deadline starts one
  '      _wq=$(( _wn + 1000 )); [ -n "$_wp" ] && [ "$_wl" -lt "$_wq" ] && _wq=$_wl',
  '      if [ -z "$_wr" ] || [ "$_wq" -lt "$_wz" ]; then',
  '        [ -z "$_wr" ] || _kt KILL "$_wr"',
  '        _wz=$_wq; _wq=$(( _wq - _wn )); [ "$_wq" -gt 0 ] || _wq=1',
  '        _wi=$(( _wi + 1 )); { sleep "$(( _wq / 100 )).$(( _wq % 100 / 10 ))$(( _wq % 10 ))"; echo "t $_wi"; } >&3 &',
  '        _wr=$!',
  '      fi',
  '    done',
  '    [ -z "$_wr" ] || _kt KILL "$_wr"',
  '    for _wq in $_wa; do kill -0 "$_wq" 2>/dev/null && _ours "$_wq" && _kt KILL "$_wq"; done',
  // what a command left in the background, reparented to init or to a subreaper above the batch
  '    _wa=1; _wq=$$',
  '    while _kl=; { read -r _kl < "/proc/$_wq/stat"; } 2>/dev/null && [ -n "$_kl" ]; do set -- ${_kl##*) }; _wq=$2; [ "$_wq" -gt 1 ] || break; _wa="$_wa $_wq"; done',
  '    for _wq in $_wa; do for _kf in /proc/$_wq/task/*/children; do _kl=; { read -r _kl < "$_kf"; } 2>/dev/null',
  '      for _wp in $_kl; do [ "$_wp" -gt "$$" ] && _ours "$_wp" && _kt KILL "$_wp"; done',
  '    done; done',
  '  }',
  // the streams, in blocks (where the output travels in packets): a reader of the pipe on its right (see above), once
  // the writer has sent its first line (stdout's to fd 8, stderr's to fd 9: the batch's own streams)
  ...(blocks ? [`  _sr() { exec 0</proc/self/fd/1 7>&-; IFS= read -r _kl; exec 1>&"$1" 8>&- 9>&-; ${BLOCKS}; }`] : []),
  // the body: fd 4 both ends of the watchdog's pipe (a write never fails for want of a reader), its pid to the
  // watchdog, then the commands
  '  _bw() {',
  '    exec 4<>/proc/self/fd/0 0</dev/null 1>&7 2>&6 6>&- 7>&- 8>&- 9>&-',
  '    read -r _wn _wu < /proc/self/stat; printf \'P %s\\n\' "$_wn" >&4',
  '    unset -f _bw _sr _wd _kt _ours',
  '    _B',
  '  }',
  `  ${watchedX('c', '', '', centiseconds('_a'))}`,
  "  _fin() { printf 'X\\n' >&4; }",
  '  _PW=1',
]

/** The watchdog of the shell that runs the batch, its streams in blocks or not (BatchScriptOptions.blocks). */
const watchdog = (blocks: boolean): string[] => [
  // the shell's name: dash where the launcher started it (/proc/self/comm, Linux)
  '_SH=; { read -r _SH < /proc/self/comm; } 2>/dev/null',
  // bash syntax, read only by bash: other shells never parse it
  `if [ -n "\${BASH_VERSION:-}" ] && [ -n "\${EPOCHREALTIME:-}" ]; then eval ${shQuote(bashWatchdog(blocks).join('\n'))}`,
  // dash on Linux: /proc gives the clock, the pipes' ends and the processes
  `elif [ "$_SH" = dash ] && { read -r _wn _wu < /proc/uptime && [ -e /proc/self/fd/1 ] && [ -e "/proc/$$/task/$$/children" ]; } 2>/dev/null && command -v sleep >/dev/null 2>&1${blocks ? ' && command -v dd >/dev/null 2>&1 && command -v cat >/dev/null 2>&1' : ''}; then`,
  // a string that bash, which parses this whole compound command and frees it, only copies (see BASH_LAUNCHER)
  `  eval ${shQuote(shWatchdog(blocks).join('\n'))}`,
  'else',
  `  ${TIMEOUT_X}`,
  // no budget of its own: the controller's deadline cuts the batch, what was written already having been sent
  '  _late() { return 1; }',
  'fi',
]
const WATCHDOGS = {blocks: watchdog(true), direct: watchdog(false)}

/**
 * The shell that writes the end markers of the last command run (`$_pk`: its exit status, start and end times on
 * stdout), followed on the same line by the next command's B or S marker (`$1`) when one is named: stderr gets the
 * B marker too, as that stream's output is split the same way, but not the S one.
 */
function endMarkers(next?: 'B' | 'S'): string {
  const out = `printf ':%s:E:%s:%s:%s:%s${next ? `:%s:${next}:%s` : ''}\\n' "$_N" "$_pk" "$_prc" "$_pa" "$_pt"${next ? ' "$_N" "$1"' : ''}`
  const err = next === 'B' ? `printf ':%s:E:%s:%s:B:%s\\n' "$_N" "$_pk" "$_N" "$1" >&2` : `printf ':%s:E:%s\\n' "$_N" "$_pk" >&2`
  return `${out}; ${err}`
}

/** A command's timeout in whole seconds, at least one. */
function commandSeconds(c: BatchCommand): number {
  return Math.max(1, Math.ceil(c.timeoutMs / 1000))
}

/** How a batch script is built for the way its output travels. */
export interface BatchScriptOptions {
  /**
   * Its two streams leave in blocks, through dd (the default): where each write the target makes travels on its own
   * (an SSH packet, see above). Not where they reach the controller through a pipe (the local machine, a chroot):
   * there the dd of each stream, and the shells around them, would be two to six processes a batch for nothing (the
   * full inventory in one batch, as root, `perf stat`, four alternating runs: 646–676 → 582–635 ms of CPU).
   */
  blocks?: boolean
}

/** The POSIX shell program that runs the commands one after another, delimiting each with a per-batch nonce. */
export function buildBatchScript(commands: readonly BatchCommand[], nonce: string, budgetMs = 3_600_000, options: BatchScriptOptions = {}): string {
  const blocks = options.blocks ?? true
  const out: string[] = [
    `_N=${nonce}`,
    `_BM=${Math.max(0, Math.floor(budgetMs))}`,
    // the shortest timeout of the batch, in seconds: how long the watchdog may sleep without a look at what started
    `_MT=${Math.min(...commands.map(commandSeconds), 3600)}`,
    '_over=',
    '_pk=',
    '_PW=',
    '_fin() { :; }',
    'LC_ALL=C; LANG=C; LANGUAGE=C; export LC_ALL LANG LANGUAGE',
    'PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH',
    'if [ -n "${EPOCHREALTIME:-}" ]; then _now() { _t=$EPOCHREALTIME; }; else _now() { _t=$(date +%s.%N 2>/dev/null); }; fi',
    'if command -v timeout >/dev/null 2>&1; then _TO=1; else _TO=; fi',
    // the kernel's name without starting uname where Linux gives it in /proc (a program less on every host)
    '_OS=; { IFS= read -r _OS < /proc/sys/kernel/ostype; } 2>/dev/null; [ "$_OS" = Linux ] || _OS=$(uname -s 2>/dev/null)',
    '_now',
    // the effective uid: bash's EUID, else the third field of /proc's Uid line, read by the shell (id -u where /proc
    // is not), a program less on every host but bash's; into the batch's own variables, each set again before it is read
    '_a=${EUID:-}; [ -n "$_a" ] || { while read -r _c _rc _a _p; do [ "$_c" = Uid: ] && break; _a=; done < /proc/self/status; } 2>/dev/null; [ -n "$_a" ] || _a=$(id -u 2>/dev/null)',
    `printf ':%s:H:%s:%s:%s\\n' "$_N" "$_t" "$_a" "$_OS"`,
    ...(blocks ? WATCHDOGS.blocks : WATCHDOGS.direct),
    // A command's E markers are written with the next command's B or S marker (or by _e at the end), on one line:
    // bash writes what its printf prints a line at a time (its streams are line-buffered), and every write wakes the
    // dd that reads the stream. A marker is not preceded by a newline (scanMarkers finds the nonce anywhere), so a
    // command's boundary is one write to each stream, ~440 writes less a host: through a loopback sshd (cgroup CPU,
    // alternating), 74 commands evaluating nothing cost the target 86.9 → 84.9 ms, a full inventory 269 → 263 ms.
    '_r() {',
    '  if [ -n "$_over" ] || _late; then _over=1; return; fi',
    '  if [ -n "$_pk" ]; then',
    `    ${endMarkers('B')}`,
    '  else',
    `    printf ':%s:B:%s\\n' "$_N" "$1"; printf ':%s:B:%s\\n' "$_N" "$1" >&2`,
    '  fi',
    '  _a=$_t',
    '  _x "$@"',
    '  _now',
    '  _pk=$1 _prc=$_rc _pa=$_a _pt=$_t',
    '}',
    '_s() {',
    '  if [ -n "$_pk" ]; then',
    `    ${endMarkers('S')}; _pk=`,
    `  else printf ':%s:S:%s\\n' "$_N" "$1"; fi`,
    '}',
    `_e() { if [ -n "$_pk" ]; then ${endMarkers()}; _pk=; fi; }`,
  ]
  // the commands, in a function (the body of dash's pipeline, see shWatchdog) that unsets itself as it starts: a
  // command's shell never sees it. The clock is read in the way's own unit (the header's is the epoch's) as the first
  // command starts, its streams and watchdog set up; then once between two commands, the end of the one and the
  // start of the next (and _late's now): under dash a reading is /proc/uptime, ~25 system calls
  out.push('_B() {', 'unset -f _B', '_now')
  for (const c of commands) {
    if (!KEY.test(c.key)) throw new Error(`invalid batch key ${JSON.stringify(c.key)}`)
    const seconds = commandSeconds(c)
    const pattern = c.platforms.map((p) => shQuote(p)).join('|') || '*'
    if (c.parts !== undefined && !(Number.isInteger(c.parts) && c.parts > 0)) throw new Error(`batch command ${c.key}: parts must be a positive whole number`)
    out.push(`case "$_OS" in ${pattern}) _r ${c.key} ${seconds} ${shQuote(c.command)}${c.parts ? ` ${c.parts}` : ''};; *) _s ${c.key};; esac`)
  }
  // 124, as GNU timeout: the batch's budget ran out before its last command
  out.push('_e', '_fin', '[ -z "$_over" ] || exit 124', 'exit 0', '}')
  // under dash's watchdog the body is the last of a pipeline whose other members are its streams' dd and the watchdog
  // (see shWatchdog); its exit status is the batch's
  out.push(
    'if [ -n "$_PW" ]; then',
    '  exec 8>&1 9>&2',
    // or, its streams not in blocks, the watchdog and the body alone, the batch's own streams theirs
    blocks ? '  _sr 8 | { exec 7>/proc/self/fd/0; echo >&7; _sr 9 | { exec 6>/proc/self/fd/0; echo >&6; _wd | _bw; }; }' : '  exec 7>&1 6>&2; _wd | _bw',
    '  exit $?',
    'fi',
    '_B',
    '',
  )
  return out.join('\n')
}

/**
 * Runs the script under dash where the target has it (Debian, Ubuntu: its forks and the programs it starts cost a
 * third of bash's, see shWatchdog), else under bash (cheap timestamps), else sh. Bash reads a script from a pipe one
 * byte per read(2), so as not to take input meant for its commands: ~28,000 system calls for a batch of ~28 kB, ~3 ms
 * of the target's CPU. Its commands read nothing from it, so bash takes the script whole (`$(</dev/stdin)` is read in
 * blocks by bash itself, no process) and evaluates it. Where stdin is a socket (Node's child processes: the local
 * transport), /dev/stdin cannot be opened (bash's complaint goes nowhere: it is no message of the batch's), and `cat`
 * reads it. Bash evaluates the commands one by one, as lines of
 * the script, not as the function `_B` which dash's pipeline needs: the first `_B() {` of the script, before any
 * command, becomes `:`, and the batch exits before bash reads the function's closing brace. Bash evaluating the
 * function (it copies a function's body to run it) made ~2,200 page faults more a host, and even a group of the
 * commands (parsed whole before it runs) ~700 (perf stat, the full inventory).
 */
export const BASH_LAUNCHER = `exec bash -c '{ _s=$(</dev/stdin); } 2>/dev/null || _s=$(cat); eval "unset _s; \${_s/_B() \\{/:}"'`
export const BATCH_LAUNCHER = `if command -v dash >/dev/null 2>&1; then exec dash -s; elif command -v bash >/dev/null 2>&1; then ${BASH_LAUNCHER}; else exec sh -s; fi`

function parseSeconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return undefined
  return Number(text) * 1000
}

/** Recovers each command's output from the batch's two streams. Pure. */
export function parseBatchOutput(
  stdout: string,
  stderr: string,
  nonce: string,
  commands: readonly BatchCommand[],
  batchTimedOut: boolean,
): Pick<BatchResult, 'header' | 'outputs' | 'skipped'> {
  const header: BatchHeader = {}
  const headerMatch = new RegExp(`^:${nonce}:H:([^:\\n]*):([^:\\n]*):([^\\n]*)$`, 'm').exec(stdout)
  if (headerMatch) {
    const t = parseSeconds(headerMatch[1])
    if (t !== undefined) header.hostTimeMs = t
    if (/^\d+$/.test(headerMatch[2]!)) header.uid = Number(headerMatch[2])
    header.os = headerMatch[3]!
  }
  const out = scanMarkers(stdout, nonce)
  const err = scanMarkers(stderr, nonce)
  // the watchdog's marks of the commands it cut, wherever they fell, are not output
  const cutMark = new RegExp(`\\n:${nonce}:T:[A-Za-z0-9_.-]+\\n`, 'g')
  const clean = (text: string) => (out.cut.size > 0 ? text.replace(cutMark, '') : text)
  const outputs = new Map<string, CommandOutput>()
  const skipped = new Set<string>()
  for (const c of commands) {
    if (out.skipped.has(c.key)) {
      skipped.add(c.key)
      continue
    }
    const start = out.begin.get(c.key)
    if (start === undefined) {
      outputs.set(c.key, {stdout: '', stderr: '', exitCode: null, timedOut: batchTimedOut, durationMs: 0, ran: false})
      continue
    }
    const errStart = err.begin.get(c.key)
    const errEnd = err.end.get(c.key)?.at
    const errText = errStart === undefined ? '' : errEnd === undefined ? stderr.slice(errStart) : errEnd < errStart ? '' : stderr.slice(errStart, errEnd)
    const end = out.end.get(c.key)
    if (end === undefined) {
      // started, never finished: the batch was cut while this command ran
      outputs.set(c.key, {stdout: clean(stdout.slice(start)), stderr: errText, exitCode: null, timedOut: batchTimedOut || out.cut.has(c.key), durationMs: 0, ran: true})
      continue
    }
    const fields = end.fields.split(':')
    const rc = /^\d+$/.test(fields[0] ?? '') ? Number(fields[0]) : null
    const t0 = parseSeconds(fields[1])
    const t1 = parseSeconds(fields[2])
    // GNU timeout exits 124 when it fired, 137 when it had to SIGKILL; the watchdog marks what it cut
    const timedOut = rc === 124 || rc === 137 || out.cut.has(c.key)
    outputs.set(c.key, {
      stdout: end.at < start ? '' : clean(stdout.slice(start, end.at)),
      stderr: errText,
      exitCode: timedOut ? null : rc,
      timedOut,
      durationMs: t0 !== undefined && t1 !== undefined ? Math.max(0, Math.round(t1 - t0)) : 0,
      ran: true,
    })
  }
  return {header, outputs, skipped}
}

interface Markers {
  /** Where each command's output starts (just after its first B marker's line). */
  begin: Map<string, number>
  /** Each command's first E marker after its begin: where it starts and what follows the key. */
  end: Map<string, {at: number; fields: string}>
  skipped: Set<string>
  cut: Set<string>
}

/**
 * Finds the markers (`:NONCE:K:key…`, each ended by a newline or by the next marker on its line) of one stream in a
 * single pass: a batch's output is a few hundred kB, and looking each command's markers up from the start would read
 * it once per command. A marker may follow output on its line (a command's last line without a newline): where its
 * nonce starts, that output ends.
 */
function scanMarkers(text: string, nonce: string): Markers {
  const tag = `:${nonce}:`
  const m: Markers = {begin: new Map(), end: new Map(), skipped: new Set(), cut: new Set()}
  let i = text.indexOf(tag)
  while (i >= 0) {
    const k = i + tag.length
    const lineEnd = text.indexOf('\n', k)
    if (lineEnd < 0) break // a marker cut short is no marker
    const next = text.indexOf(tag, k)
    const restEnd = next >= 0 && next < lineEnd ? next : lineEnd
    if (text.charCodeAt(k + 1) === 58 /* : */) {
      const rest = text.slice(k + 2, restEnd)
      switch (text[k]) {
        case 'B':
          // the last marker of its line: the output starts on the next
          if (restEnd === lineEnd && !m.begin.has(rest)) m.begin.set(rest, lineEnd + 1)
          break
        case 'E': {
          const colon = rest.indexOf(':')
          const key = colon < 0 ? rest : rest.slice(0, colon)
          const begin = m.begin.get(key)
          if (begin !== undefined && !m.end.has(key) && i >= begin) m.end.set(key, {at: i, fields: colon < 0 ? '' : rest.slice(colon + 1)})
          break
        }
        case 'S':
          m.skipped.add(rest)
          break
        case 'T':
          m.cut.add(rest)
          break
      }
    }
    // the next marker, on this line or a later one
    i = next
  }
  return m
}

/** Runs one batch over a transport: one round trip for all its commands. */
export async function runBatch(transport: CommandTransport, commands: readonly BatchCommand[], deadlineMs: number): Promise<BatchResult> {
  const nonce = randomBytes(12).toString('hex')
  // the batch ends itself this much before the deadline, its last block of output sent (see bashWatchdog)
  const script = buildBatchScript(commands, nonce, deadlineMs - Math.min(5000, deadlineMs / 4), {blocks: transport.piped !== true})
  const headerPrefix = `:${nonce}:H:`
  let seen = ''
  let headerReceivedAtMs: number | undefined
  const sentAtMs = Date.now()
  const started = performance.now()
  try {
    const result = await transport.exec(BATCH_LAUNCHER, {
      stdin: script,
      timeoutMs: deadlineMs,
      onStdout: (chunk) => {
        seen += chunk
        const i = seen.indexOf(headerPrefix)
        if (i >= 0 && seen.indexOf('\n', i) > 0) {
          headerReceivedAtMs = Date.now()
          return false // the header is all we watch for
        }
        if (seen.length > 4096) seen = seen.slice(-256)
        return true
      },
    })
    const outOfBudget = result.timedOut || result.exitCode === 124
    // the shell's own last message, not a marker line of the batch's
    const lastWords = result.stderr
      .split('\n')
      .filter((line) => line.trim() && !line.includes(`:${nonce}:`))
      .pop()
      ?.trim()
    const parsed = parseBatchOutput(result.stdout, result.stderr, nonce, commands, outOfBudget)
    const failure = outOfBudget
      ? `batch timed out after ${Math.round(deadlineMs / 1000)} s`
      : result.exitCode !== 0
        ? `batch shell exited ${result.exitCode ?? 'by signal'}${lastWords ? `: ${lastWords.slice(0, 200)}` : ''}`
        : undefined
    return {...parsed, headerReceivedAtMs, sentAtMs, failure, durationMs: performance.now() - started}
  } catch (error) {
    const outputs = new Map<string, CommandOutput>()
    for (const c of commands) outputs.set(c.key, {stdout: '', stderr: '', exitCode: null, timedOut: false, durationMs: 0, ran: false})
    return {header: {}, outputs, skipped: new Set(), sentAtMs, failure: (error as Error).message, durationMs: performance.now() - started}
  }
}
