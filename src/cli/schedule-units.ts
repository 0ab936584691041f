import {userInfo} from 'node:os'

import {shQuote} from '../model/shell-quote.js'
import {parseCron, toOnCalendar} from './cron.js'

export interface ScheduleInput {
  /** Five-field cron expression or @daily-style shortcut. */
  cron: string
  /** The program and its arguments, absolute paths already resolved (node, bin/run.js, audit, …). */
  command: readonly string[]
  /** Unit name stem: hatang-audit → hatang-audit.service / .timer. */
  unit: string
  /** The user the service runs as (User=); none: root. */
  user?: string
}

export interface ScheduleUnits {
  /** The crontab line (for `crontab -e`; /etc/cron.d wants a user field after the five time fields). */
  cron: string
  onCalendar: string[]
  service: string
  timer: string
  /** File names for the units under /etc/systemd/system. */
  serviceFile: string
  timerFile: string
}

/** Quotes one argument for systemd's ExecStart= (double quotes; specifiers % and variables $ escaped). */
export function systemdQuote(arg: string): string {
  const escaped = arg.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%').replaceAll('$', '$$$$')
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(arg) ? escaped : `"${escaped}"`
}

/**
 * A crontab line and a systemd service + timer pair that run the same command on the same calendar.
 * Throws CronError for a bad expression. Pure.
 */
export function scheduleUnits(input: ScheduleInput): ScheduleUnits {
  const cron = parseCron(input.cron)
  const onCalendar = toOnCalendar(cron)
  // in a crontab a bare % ends the command (the rest becomes stdin): escape it
  const shell = input.command.map((a) => shQuote(a).replaceAll('%', '\\%')).join(' ')
  const service = [
    '[Unit]',
    'Description=hatang audit: take stock, check and report',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    // a system unit runs as root unless told: the audit of a user who is not root runs as that user, with its paths
    ...(input.user ? [`User=${input.user}`] : []),
    `ExecStart=${input.command.map(systemdQuote).join(' ')}`,
    '# 1: findings at or above --fail-on, 3: some hosts unreachable; both are results, not failures of the unit',
    'SuccessExitStatus=1 3',
    'Nice=10',
    'IOSchedulingClass=idle',
    '',
  ].join('\n')
  const timer = [
    '[Unit]',
    `Description=Run ${input.unit}.service on schedule (cron: ${input.cron.trim()})`,
    '',
    '[Timer]',
    ...onCalendar.map((c) => `OnCalendar=${c}`),
    '# catch up on a run missed while the machine was off',
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n')
  return {cron: `${input.cron.trim()} ${shell}`, onCalendar, service, timer, serviceFile: `${input.unit}.service`, timerFile: `${input.unit}.timer`}
}

/**
 * Who the scheduled audit runs as: the user asking for it (by name, else by uid), or undefined for root. The
 * paths printed (store, log, reports) are that user's; a unit without User= would run as root and write elsewhere.
 */
export function invokingUser(): string | undefined {
  const uid = process.getuid?.()
  if (uid === undefined || uid === 0) return undefined
  try {
    return userInfo().username
  } catch {
    return String(uid)
  }
}
