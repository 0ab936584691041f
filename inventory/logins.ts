import {ParseError} from './kit/parse-error.js'
import {splitParts} from './kit/command-parts.js'
import {defineProbe} from './kit/probe.js'
import {deniedByPermissions, lines, NO_SUCH_FILE, notInstalled, succeeded, toInt} from './kit/probe-helpers.js'
import {loginsSection, type LoginSourceState, type LoginsData} from '../src/model/sections/logins.js'

/** At most this many lines are read from any tool (one per account, or per failure for faillock). */
const MAX_LINES = 20000

/**
 * The three tools print into ONE awk (four processes, not seven: bench/target-work.ts): a group prints each part in
 * the shape of kit/command-parts.ts (`@@part NAME`, its output, `@@status NAME RC`; markers on stderr too), and awk,
 * having read the account names of /etc/passwd, passes lastlog's lines through (at most MAX_LINES), and turns lastb's
 * lines into counts per existing account (names only from passwd, at most MAX_LINES * 10 read) and faillock's into
 * failures per account (at most MAX_LINES read). A marker counts only as the exact line, in the expected order: a name
 * in btmp cannot forge one (lastb prints more columns after it). Each part keeps its answer: 127 when its tool is
 * missing, 3/4 when /var/log/btmp is absent/unreadable.
 */
const PRODUCER = [
  '{',
  "echo '@@part lastlog'; printf '\\n@@part lastlog\\n' >&2; r=0",
  "if command -v lastlog >/dev/null 2>&1; then echo '!tool lastlog'; lastlog",
  "elif command -v lastlog2 >/dev/null 2>&1; then echo '!tool lastlog2'; lastlog2",
  'else r=127; fi',
  'echo "@@status lastlog $r"',
  "echo '@@part lastb'; printf '\\n@@part lastb\\n' >&2; r=0",
  'if ! command -v lastb >/dev/null 2>&1; then r=127; elif [ ! -e /var/log/btmp ]; then r=3; elif [ ! -r /var/log/btmp ]; then r=4; else lastb -w 2>/dev/null; fi',
  'echo "@@status lastb $r"',
  "echo '@@part faillock'; printf '\\n@@part faillock\\n' >&2; r=0",
  'if command -v faillock >/dev/null 2>&1; then faillock 2>&1; else r=127; fi',
  'echo "@@status faillock $r"',
  '}',
].join('\n')

const LOGINS_AWK = String.raw`FNR == NR { split($0, p, ":"); if (p[1] != "") u[p[1]] = 1; next }
$0 == ("@@part " want[np]) { part = want[np++]; seen = 0; x = 0; k = 0; split("", c); print; next }
part != "" && $0 ~ ("^@@status " part " [0-9]+$") {
  if ($3 == 0 && part == "lastb") { for (n in c) print "user " n " " c[n]; print "other " x + 0 }
  if ($3 == 0 && part == "faillock") for (n in c) print "user " n " " c[n]
  print ""; print; part = ""; next
}
part == "lastlog" { if (++seen <= MAXLOG) print; next }
part == "lastb" { if (++seen > MAXB || $0 == "" || /^btmp begins /) next; if ($1 in u) c[$1]++; else x++; next }
part == "faillock" {
  if (++seen > MAXF) next
  if (/Error reading tally directory: No such file or directory/) print "!none"
  else if (/[Pp]ermission denied/) print "!denied"
  else if (/^[^ ]+:$/) { n = substr($0, 1, length($0) - 1); k = (n in u) }
  else if (k && / V$/) c[n]++
  next
}`

/** The awk the tools print into (exported for its tests: it reads the account names of /etc/passwd, then stdin). */
export const LOGINS_FILTER = `awk -v MAXLOG=${MAX_LINES} -v MAXB=${MAX_LINES * 10} -v MAXF=${MAX_LINES} 'BEGIN { np = 0; want[0] = "lastlog"; want[1] = "lastb"; want[2] = "faillock" }
${LOGINS_AWK.replace(/'/g, `'\\''`)}' /etc/passwd -`

const LOGINS_COMMAND = `${PRODUCER} | ${LOGINS_FILTER}
exit 0`

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** lastlog's date: `Sun Dec  6 08:40:51 +0000 2026` (strftime "%a %b %e %H:%M:%S %z %Y"), at the end of the line. */
const LASTLOG_DATE = /\s(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d) (\d{4})$/
const NEVER = '**Never logged in**'

type LastLog = LoginsData['lastLog']

/**
 * Parses `lastlog`/`lastlog2` output after the `!tool NAME` line: a header (`Username Port From Latest`), then one
 * line per account, the date (with its UTC offset) or `**Never logged in**` last. Port and From are columns: a
 * single value between name and date is told apart by where it starts, as the header places them.
 */
export function parseLastLog(text: string): Pick<LastLog, 'tool' | 'accounts'> {
  const all = lines(text)
  const tool = /^!tool (lastlog2?)$/.exec(all[0] ?? '')?.[1] as LastLog['tool'] | undefined
  if (!tool) throw new ParseError('expected "!tool lastlog" first', 1)
  const accounts: LastLog['accounts'] = []
  let fromCol = -1
  for (const [i, line] of all.entries()) {
    if (i === 0 || line.trim() === '') continue
    if (fromCol < 0) {
      if (!/^Username\s+Port\s+From\s+Latest\s*$/.test(line)) throw new ParseError('expected the header "Username Port From Latest"', i + 1)
      fromCol = line.indexOf('From')
      continue
    }
    const name = /^(\S+)/.exec(line)?.[1]
    if (!name) throw new ParseError('expected a user name first', i + 1)
    let rest: string
    let lastLogin: string | undefined
    if (line.trimEnd().endsWith(NEVER)) rest = line.trimEnd().slice(0, -NEVER.length)
    else {
      const m = LASTLOG_DATE.exec(line.trimEnd())
      if (!m) throw new ParseError('expected a date or "**Never logged in**" at the end', i + 1)
      const [, mon, day, hh, mm, ss, sign, oh, om, year] = m
      const utc = Date.UTC(Number(year), MONTHS.indexOf(mon!), Number(day), Number(hh), Number(mm), Number(ss)) - (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000
      lastLogin = new Date(utc).toISOString()
      rest = line.trimEnd().slice(0, m.index)
    }
    const account: LastLog['accounts'][number] = {name}
    if (lastLogin) account.lastLogin = lastLogin
    const middle = rest.slice(name.length)
    const tokens = [...middle.matchAll(/\S+/g)]
    if (tokens.length >= 2) {
      account.port = tokens[0]![0]
      account.from = tokens.slice(1).map((t) => t[0]).join(' ')
    } else if (tokens.length === 1) {
      // the header's columns, shifted by a name longer than its 16 columns
      const at = name.length + tokens[0]!.index
      const shift = Math.max(0, name.length - 16)
      if (at >= fromCol + shift) account.from = tokens[0]![0]
      else account.port = tokens[0]![0]
    }
    accounts.push(account)
  }
  if (fromCol < 0) throw new ParseError('no header line')
  return {tool, accounts}
}

/** Parses the lastb count: `user NAME N` lines and one `other N` line. */
export function parseFailedCounts(text: string): {accounts: {name: string; count: number}[]; unknownNames: number} {
  const accounts: {name: string; count: number}[] = []
  let unknownNames: number | undefined
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    const m = /^(?:user (\S+)|other) (\d+)$/.exec(line)
    if (!m) throw new ParseError('expected "user NAME N" or "other N"', i + 1)
    const n = toInt(m[2])!
    if (m[1] === undefined) unknownNames = n
    else accounts.push({name: m[1], count: n})
  }
  if (unknownNames === undefined) throw new ParseError('no "other N" line')
  return {accounts: accounts.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)), unknownNames}
}

/** Parses the faillock count: `!none` (no tally directory), `!denied`, or `user NAME N` lines. */
export function parseFaillock(text: string): Pick<LoginsData['faillock'], 'state' | 'accounts'> {
  const accounts: LoginsData['faillock']['accounts'] = []
  let state: LoginSourceState = 'read'
  for (const [i, line] of lines(text).entries()) {
    if (line.trim() === '') continue
    if (line === '!none') state = 'notPresent'
    else if (line === '!denied') state = 'needsRoot'
    else {
      const m = /^user (\S+) (\d+)$/.exec(line)
      if (!m) throw new ParseError('expected "user NAME N", "!none" or "!denied"', i + 1)
      accounts.push({name: m[1]!, failures: toInt(m[2])!})
    }
  }
  if (state === 'needsRoot') return {state, accounts: []}
  return {state, accounts: accounts.sort((a, b) => b.failures - a.failures || (a.name < b.name ? -1 : 1))}
}

const stateOf = (out: Parameters<typeof succeeded>[0]): LoginSourceState | undefined =>
  notInstalled(out) ? 'notInstalled' : out?.exitCode === NO_SUCH_FILE ? 'notPresent' : deniedByPermissions(out) ? 'needsRoot' : undefined

const reasonOf = (what: string, out: Parameters<typeof succeeded>[0]): string =>
  !out || !out.ran ? `${what}: not reached before the deadline` : out.timedOut ? `${what}: timed out` : `${what}: exit ${out.exitCode}`

export const loginsProbe = defineProbe({
  section: loginsSection,
  platforms: ['Linux'],
  weight: 2,
  // one command: three parts (kit/command-parts.ts) through one awk
  commands: {logins: LOGINS_COMMAND},
  interpret(outputs) {
    const out = splitParts(outputs.logins, ['lastlog', 'lastb', 'faillock'])
    const problems: string[] = []
    const needRoot: string[] = []
    const lastLog: LastLog = {state: 'read', accounts: []}
    if (succeeded(out.lastlog)) Object.assign(lastLog, parseLastLog(out.lastlog.stdout))
    else {
      const s = stateOf(out.lastlog)
      if (s) lastLog.state = s
      else {
        lastLog.state = 'notPresent'
        problems.push(reasonOf('lastlog', out.lastlog))
      }
    }
    const failedLogins: LoginsData['failedLogins'] = {state: 'read', accounts: [], unknownNames: 0}
    if (succeeded(out.lastb)) Object.assign(failedLogins, parseFailedCounts(out.lastb.stdout))
    else {
      const s = stateOf(out.lastb)
      failedLogins.state = s ?? 'notPresent'
      if (s === 'needsRoot') needRoot.push('failed logins (/var/log/btmp)')
      else if (!s) problems.push(reasonOf('lastb', out.lastb))
    }
    const faillock: LoginsData['faillock'] = {state: 'read', accounts: []}
    if (succeeded(out.faillock)) Object.assign(faillock, parseFaillock(out.faillock.stdout))
    else {
      const s = stateOf(out.faillock)
      faillock.state = s ?? 'notPresent'
      if (!s) problems.push(reasonOf('faillock', out.faillock))
    }
    if (faillock.state === 'needsRoot') needRoot.push('faillock tally')
    const data: LoginsData = {lastLog, failedLogins, faillock}
    if (needRoot.length) problems.unshift(`needs root: ${needRoot.join(', ')}`)
    return problems.length ? {status: 'partial', reason: problems.join('; '), data} : {status: 'ok', data}
  },
})
