/**
 * Cron expressions (the five fields of crontab(5), with names, ranges, steps and the @ shortcuts) and
 * their translation to systemd OnCalendar= lines. Pure.
 */

export class CronError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CronError'
  }
}

interface FieldSpec {
  name: string
  min: number
  max: number
  names?: readonly string[]
}

const FIELDS: readonly FieldSpec[] = [
  {name: 'minute', min: 0, max: 59},
  {name: 'hour', min: 0, max: 23},
  {name: 'day of month', min: 1, max: 31},
  {name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']},
  // 0 and 7 are both Sunday
  {name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']},
]

const SHORTCUTS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

/** A parsed expression: each field's set of values, and whether it was restricted (not `*`). */
export interface Cron {
  minutes: number[]
  hours: number[]
  days: number[]
  months: number[]
  /** 0 = Sunday … 6 = Saturday. */
  weekdays: number[]
  /** Whether day of month / day of week were restricted (not starting with '*'): cron ORs them when both are. */
  daysRestricted: boolean
  weekdaysRestricted: boolean
}

function value(text: string, f: FieldSpec): number {
  const named = f.names?.indexOf(text.toLowerCase()) ?? -1
  if (named >= 0) return f.min + named
  if (!/^\d+$/.test(text)) throw new CronError(`${f.name}: '${text}' is not a number${f.names ? ` or a name (${f.names.slice(0, 3).join(', ')}, …)` : ''}`)
  const n = Number(text)
  if (n < f.min || n > f.max) throw new CronError(`${f.name}: ${n} is outside ${f.min}–${f.max}`)
  return n
}

function field(text: string, f: FieldSpec): {values: number[]; restricted: boolean} {
  const values = new Set<number>()
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/')
    if (extra !== undefined || range === undefined || range === '') throw new CronError(`${f.name}: '${part}' is not a value, range or step`)
    let step = 1
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronError(`${f.name}: step '${stepText}' must be a positive number`)
      step = Number(stepText)
    }
    let lo: number
    let hi: number
    if (range === '*') [lo, hi] = [f.min, f.name === 'day of week' ? 6 : f.max]
    else if (range.includes('-')) {
      const [a, b, more] = range.split('-')
      if (more !== undefined || !a || !b) throw new CronError(`${f.name}: '${range}' is not a range`)
      ;[lo, hi] = [value(a, f), value(b, f)]
      if (lo > hi) throw new CronError(`${f.name}: range '${range}' goes backwards`)
    } else {
      lo = value(range, f)
      // "5/10" means from 5 to the end, every 10 (as cronie and Vixie cron read it)
      hi = stepText === undefined ? lo : f.max
    }
    for (let v = lo; v <= hi; v += step) values.add(f.name === 'day of week' && v === 7 ? 0 : v)
  }
  const sorted = [...values].sort((a, b) => a - b)
  // as Vixie cron and cronie: a field starting with '*' (also '*/2') counts as unrestricted for the day rule
  return {values: sorted, restricted: !text.startsWith('*')}
}

/** Parses a cron expression; throws CronError saying which field is wrong and why. */
export function parseCron(expression: string): Cron {
  const trimmed = expression.trim()
  const text = SHORTCUTS[trimmed.toLowerCase()] ?? trimmed
  if (text.startsWith('@')) throw new CronError(`'${trimmed}' is not a shortcut cron knows (${Object.keys(SHORTCUTS).join(', ')}); @reboot has no calendar`)
  const parts = text.split(/\s+/)
  if (parts.length !== 5) throw new CronError(`'${trimmed}' has ${parts.length} field${parts.length === 1 ? '' : 's'}; cron wants 5: minute hour day-of-month month day-of-week`)
  const [mi, h, dom, mon, dow] = parts.map((p, i) => field(p, FIELDS[i]!)) as [ReturnType<typeof field>, ReturnType<typeof field>, ReturnType<typeof field>, ReturnType<typeof field>, ReturnType<typeof field>]
  return {
    minutes: mi.values,
    hours: h.values,
    days: dom.values,
    months: mon.values,
    weekdays: dow.values,
    daysRestricted: dom.restricted,
    weekdaysRestricted: dow.restricted,
  }
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
const two = (n: number) => String(n).padStart(2, '0')

function list(values: readonly number[], min: number, max: number): string {
  if (values.length === max - min + 1) return '*'
  return values.map(two).join(',')
}

/**
 * The OnCalendar= values for a cron expression. One line, except when both day of month and day of
 * week are restricted: cron fires when *either* matches, systemd only when both do, so that takes two
 * lines (a timer may have several OnCalendar=).
 */
export function toOnCalendar(cron: Cron): string[] {
  const time = `${list(cron.hours, 0, 23)}:${list(cron.minutes, 0, 59)}:00`
  const month = list(cron.months, 1, 12)
  const weekdays = cron.weekdays.length === 7 ? '' : `${cron.weekdays.map((d) => DAY_NAMES[d]).join(',')} `
  const days = list(cron.days, 1, 31)
  if (cron.daysRestricted && cron.weekdaysRestricted) return [`*-${month}-${days} ${time}`, `${weekdays}*-${month}-* ${time}`]
  return [`${weekdays}*-${month}-${days} ${time}`]
}

/** Whether a moment (local time) matches the expression, as cron decides it. */
export function cronMatches(cron: Cron, at: Date): boolean {
  if (!cron.minutes.includes(at.getMinutes()) || !cron.hours.includes(at.getHours()) || !cron.months.includes(at.getMonth() + 1)) return false
  const dom = cron.days.includes(at.getDate())
  const dow = cron.weekdays.includes(at.getDay())
  if (cron.daysRestricted && cron.weekdaysRestricted) return dom || dow
  return dom && dow
}
