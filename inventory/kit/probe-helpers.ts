import {shQuote} from '../../src/model/shell-quote.js'
import type {ProbeResult} from './implementation.js'
import {ParseError} from './parse-error.js'
import type {CommandOutput} from './probe.js'

/**
 * How a command ends early with a status: `exit` for a command of its own, `return` for a command of a grouped
 * probe (a function's body, ProbeSpec.grouped).
 */
export type End = 'exit' | 'return'

/** A command that exits 127 (the shell's "command not found") when `tool` is missing, so "not installed" is told apart from failure. */
export function needs(tool: string | string[], command: string, end: End = 'exit'): string {
  const tools = Array.isArray(tool) ? tool : [tool]
  const checks = tools.map((t) => `command -v ${shQuote(t)} >/dev/null 2>&1`).join(' || ')
  return `{ ${checks}; } || ${end} 127; ${command}`
}

/** Exits 3 when a (quoted) file does not exist and 4 when it cannot be read. */
const readable = (p: string, end: End) => `[ -e ${p} ] || ${end} 3; [ -r ${p} ] || ${end} 4`

/** Prints a file's content, or exits 3 when it does not exist and 4 when it cannot be read. */
export function readFile(path: string, end: End = 'exit'): string {
  const p = shQuote(path)
  return `${readable(p, end)}; cat ${p}`
}

/**
 * True in bash 5 or later (bash's own `sh` included), where the commands below use builtins instead of a program: a
 * program started costs the target ~1 ms (its loader alone asks the CPU for its features dozens of times, each a
 * trap to the hypervisor on a virtual machine). Other shells (dash, busybox, ksh) start the program.
 */
export const IN_BASH5 = '[ "${BASH_VERSINFO:-0}" -ge 5 ]'

/** Bash 5 prints a file by one `read` (in blocks) up to its first NUL byte, its end for text. */
const bashPrint = (path: string) => `{ _x=; IFS= read -r -d '' _x; printf '%s' "$_x"; } < ${path}`

/**
 * Prints a small text file (a few KB: /proc/meminfo, sshd_config) as `cat` does: by bash's own `read` in
 * bash 5, which takes a file in blocks, by `cat` elsewhere (dash's read takes a byte a system call). The same bytes
 * for text without NUL bytes (read stops at the first). Bash's read costs ~15 ns a byte, so a file of ~60 KB or more
 * (a big server's /proc/cpuinfo) is cheaper with cat: keep those on readFile. `path` is shell text (quote it); fails
 * as cat does (status 1) when the file cannot be opened.
 */
export function printSmallFile(path: string): string {
  return `if ${IN_BASH5}; then ${bashPrint(path)}; else cat ${path}; fi`
}

/**
 * Prints a tiny text file (under ~1 KB: os-release, resolv.conf) as `cat` does, in every shell without a program:
 * bash 5 as printSmallFile, other shells by a `read` loop. Dash's read takes a byte a system call (~1.3 µs a byte
 * here), cheaper than starting cat (~2.3 ms) below ~1.5 KB. The same bytes for text without NUL bytes; a file that
 * cannot be opened is left to `cat`, so it fails as cat does (status 1 and its message). `path` is shell text.
 */
export function printTinyFile(path: string): string {
  const loop = `{ _l=; while IFS= read -r _l; do printf '%s\\n' "$_l"; done; [ -z "$_l" ] || printf '%s' "$_l"; } 2>/dev/null < ${path}`
  return `if ${IN_BASH5}; then ${bashPrint(path)}; elif ${loop}; then :; else cat ${path}; fi`
}

/** readFile for a small text file (printSmallFile): exits 3 when it does not exist and 4 when it cannot be read. */
export function readSmallFile(path: string, end: End = 'exit'): string {
  const p = shQuote(path)
  return `${readable(p, end)}; ${printSmallFile(p)}`
}

/** readFile for a tiny text file (printTinyFile): exits 3 when it does not exist and 4 when it cannot be read. */
export function readTinyFile(path: string, end: End = 'exit'): string {
  const p = shQuote(path)
  return `${readable(p, end)}; ${printTinyFile(p)}`
}

/**
 * Prints the first line of a file that starts with `prefix`, that prefix replaced by `replacement`, as
 * `sed -n 's/^PREFIX/REPLACEMENT/p'` does for a file with one such line (/proc/stat's `btime`): by the shell's own
 * `read` in bash 5 (IN_BASH5), by one awk elsewhere. Exits 0 when a line was printed, 1 when none (grep's statuses);
 * `path` is shell text. `prefix` and `replacement` are plain text with no regular expression or sed special
 * characters (checked).
 */
export function printLineStarting(path: string, prefix: string, replacement = prefix): string {
  if (!/^[A-Za-z0-9_ :=-]+$/.test(prefix) || !/^[A-Za-z0-9_ :=-]*$/.test(replacement)) throw new Error(`printLineStarting: ${JSON.stringify(prefix)} and ${JSON.stringify(replacement)} must be plain words`)
  const bash = `_m=1; while IFS= read -r _l || [ -n "$_l" ]; do case $_l in '${prefix}'*) printf '%s%s\\n' '${replacement}' "\${_l#${prefix}}"; _m=0; break;; esac; done < ${path}; [ "$_m" = 0 ]`
  const awk = `awk 'index($0, "${prefix}") == 1 { print "${replacement}" substr($0, ${prefix.length + 1}); f = 1; exit } END { exit !f }' ${path}`
  return `if ${IN_BASH5}; then ${bash}; else ${awk}; fi`
}

/**
 * Prints the first line of a one-line file (/proc/loadavg, machine-id) by the shell's own `read`: what `cat` or `head -n 1`
 * prints for it, where they cost a process each, but always with its newline (a machine-id written without one gets
 * it). `path` is shell text (quote it); fails when the file cannot be opened or is empty.
 */
export function readFirstLine(path: string): string {
  return `{ IFS= read -r _l || [ -n "$_l" ]; } < ${path} && printf '%s\\n' "$_l"`
}

/** readFile for a one-line file, read by the shell itself (readFirstLine): exits 3 when it does not exist and 4 when it cannot be read. */
export function readLine(path: string, end: End = 'exit'): string {
  const p = shQuote(path)
  return `${readable(p, end)}; ${readFirstLine(p)}`
}

/** Sets `_l` to the first line of a file by the shell's own `read`, empty when it cannot be read; prints nothing. `path` is shell text. */
export function firstLineInto(path: string): string {
  return `_l=; { IFS= read -r _l; } 2>/dev/null < ${path}`
}

/**
 * The lines of the files that match an extended regular expression, each as `PREFIX FILE:LINE`: what
 * `grep -sHE RE FILES | sed 's/^/PREFIX /'` prints, in one awk instead of two processes. Unreadable and missing files
 * are passed over silently, as grep -s does; `files` are globs.
 */
export function prefixedMatches(prefix: string, re: string, files: string): string {
  if (re.includes('/')) throw new Error(`prefixedMatches: ${re} holds a "/", which would end awk's pattern`)
  return `set --; for f in ${files}; do [ -f "$f" ] && [ -r "$f" ] && set -- "$@" "$f"; done; [ $# -eq 0 ] || awk ${shQuote(`/${re}/ { print "${prefix} " FILENAME ":" $0 }`)} "$@"`
}

export const NOT_INSTALLED = 127
export const NO_SUCH_FILE = 3
export const NOT_READABLE = 4

const DENIED = /permission denied|operation not permitted|must be (run as )?root|are not root|need(s)? to be root|requires root|superuser|access denied|not privileged|EACCES|EPERM/i

/** True when the command failed for want of privileges. */
export function deniedByPermissions(out: CommandOutput | undefined): boolean {
  if (!out || !out.ran) return false
  return out.exitCode === NOT_READABLE || (out.exitCode !== 0 && DENIED.test(out.stderr))
}

export function notInstalled(out: CommandOutput | undefined): boolean {
  return out !== undefined && out.ran && out.exitCode === NOT_INSTALLED
}

export function succeeded(out: CommandOutput | undefined): out is CommandOutput {
  return out !== undefined && out.ran && !out.timedOut && out.exitCode === 0
}

/** A section status for a command that did not succeed, or undefined when it did. */
export function failure(out: CommandOutput | undefined, what: string): ProbeResult<never> | undefined {
  if (out === undefined || !out.ran) return {status: 'timeout', reason: `${what}: not reached before the deadline`}
  if (out.timedOut) return {status: 'timeout', reason: `${what}: timed out after ${Math.round(out.durationMs / 1000)} s`}
  if (out.exitCode === 0) return undefined
  if (out.exitCode === NOT_INSTALLED) return {status: 'unavailable', reason: `${what}: not installed`}
  if (out.exitCode === NO_SUCH_FILE) return {status: 'unavailable', reason: `${what}: not present`}
  if (deniedByPermissions(out)) return {status: 'unavailable', reason: `${what}: needs root`}
  return {status: 'error', reason: `${what}: exit ${out.exitCode}${firstLine(out.stderr)}`}
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')
  return line === undefined ? '' : `: ${line.trim().slice(0, 200)}`
}

/** Splits text into lines, accepting LF and CRLF, without the trailing empty line. */
export function lines(text: string): string[] {
  const all = text.split(/\r?\n/)
  if (all.length > 0 && all[all.length - 1] === '') all.pop()
  return all
}

/**
 * The rows of a tab-separated listing (a package manager's query format): one a non-empty line, each of exactly
 * `width` fields, turned into an item by `row` (given the line's 1-based number for its ParseErrors).
 */
export function tabRows<T>(text: string, width: number, row: (fields: string[], line: number) => T): T[] {
  const items: T[] = []
  lines(text).forEach((line, i) => {
    if (line === '') return
    const fields = line.split('\t')
    if (fields.length !== width) throw new ParseError(`expected ${width} tab-separated fields, got ${fields.length}`, i + 1)
    items.push(row(fields, i + 1))
  })
  return items
}

/** Parses a decimal integer; undefined when the text is not one (or not a safe integer). */
export function toInt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const t = text.trim()
  if (!/^-?\d+$/.test(t)) return undefined
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : undefined
}

export function toNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const t = text.trim()
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined
  const n = Number(t)
  return Number.isFinite(n) ? n : undefined
}

/** Parses `KEY=value` lines as in /etc/os-release (shell-style quoting, comments). */
export function parseKeyValueLines(text: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const raw of lines(text)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    const key = line.slice(0, eq).trim()
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue
    map.set(key, unquoteShellValue(line.slice(eq + 1).trim()))
  }
  return map
}

function unquoteShellValue(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\$`])/g, '$1')
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1)
  return v
}

/** Parses util-linux `-P` output: KEY="value" pairs, with `\xNN` escapes for unsafe bytes. */
export function parsePairs(line: string): Map<string, string> {
  const map = new Map<string, string>()
  const re = /([A-Z0-9_:%-]+)="((?:[^"\\]|\\.)*)"/g
  for (const m of line.matchAll(re)) {
    map.set(m[1]!, unescapeHex(m[2]!))
  }
  return map
}

/** Decodes `\xNN` escapes (util-linux, systemd) into the bytes they stand for, read as UTF-8. */
export function unescapeHex(text: string): string {
  if (!text.includes('\\')) return text
  const chunks: Buffer[] = []
  for (const part of text.split(/(\\x[0-9a-fA-F]{2}|\\["\\])/)) {
    if (/^\\x[0-9a-fA-F]{2}$/.test(part)) chunks.push(Buffer.from([Number.parseInt(part.slice(2), 16)]))
    else if (part === '\\"' || part === '\\\\') chunks.push(Buffer.from(part.slice(1), 'utf8'))
    else chunks.push(Buffer.from(part, 'utf8'))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** An ISO date from seconds since the epoch, or undefined when the number is not a plausible date. */
export function isoFromEpochSeconds(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds > 32503680000) return undefined
  return new Date(seconds * 1000).toISOString()
}
