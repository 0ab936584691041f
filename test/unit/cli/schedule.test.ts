import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {CronError, cronMatches, parseCron, toOnCalendar} from '../../../src/cli/cron.js'
import {scheduleUnits, systemdQuote, type ScheduleUnits} from '../../../src/cli/schedule-units.js'
import {hatang} from '../../support/cli.js'

process.env.TZ = 'UTC'
const BASE = new Date(Date.UTC(2026, 0, 1, 0, 0))
const N = 12
/** Enumeration stops here (a 29 February comes once in four years). */
const END = Date.UTC(2030, 0, 1)

/** The next N times systemd fires a timer with these OnCalendar= lines, after BASE, per systemd-analyze itself. */
function systemdElapses(lines: string[]): string[] {
  const r = spawnSync('systemd-analyze', ['calendar', `--iterations=${N}`, '--base-time=2026-01-01 00:00:00', ...lines], {encoding: 'utf8', env: {...process.env, TZ: 'UTC', LC_ALL: 'C'}})
  expect(r.status, r.stderr).toBe(0)
  const times = [...r.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d):00 UTC/g)].map((m) => m[1]!)
  return [...new Set(times)].filter((t) => Date.parse(`${t.replace(' ', 'T')}:00Z`) < END).sort().slice(0, N)
}

/** The next N minutes cron would fire at after BASE, by walking the calendar minute by minute. */
function cronElapses(expr: string): string[] {
  const cron = parseCron(expr)
  const out: string[] = []
  // systemd's next elapse is strictly after the base time
  for (let t = BASE.getTime() + 60_000; out.length < N && t < END; t += 60_000) {
    const d = new Date(t)
    if (cronMatches(cron, d)) out.push(d.toISOString().slice(0, 16).replace('T', ' '))
  }
  return out
}

describe('cron to systemd OnCalendar', () => {
  const expressions = [
    '0 2 * * 1',
    '*/15 * * * *',
    '30 1 1,15 * *',
    '0 9-17/2 * * mon-fri',
    '5 4 * * sun',
    '0 0 29 2 *',
    '0 3 13 * 5', // day of month OR Friday, as cron reads it
    '0 6 */2 * 1', // '*/2' counts as unrestricted: odd days AND Monday
    '15 10 * jan,jul 7',
    '@daily',
    '@weekly',
    '@monthly',
    '@hourly',
  ]
  for (const expr of expressions) {
    it(`fires when cron would: ${expr}`, () => {
      expect(systemdElapses(toOnCalendar(parseCron(expr)))).toEqual(cronElapses(expr))
    })
  }

  it('says which field is wrong', () => {
    const err = (e: string) => {
      try {
        parseCron(e)
      } catch (error) {
        expect(error).toBeInstanceOf(CronError)
        return (error as Error).message
      }
      throw new Error(`no error for ${e}`)
    }
    expect(err('0 2 * *')).toMatch(/has 4 fields; cron wants 5/)
    expect(err('60 2 * * *')).toMatch(/^minute: 60 is outside 0–59/)
    expect(err('0 2 * * funday')).toMatch(/^day of week: 'funday' is not a number or a name/)
    expect(err('0 5-2 * * *')).toMatch(/^hour: range '5-2' goes backwards/)
    expect(err('*/0 * * * *')).toMatch(/^minute: step '0' must be a positive number/)
    expect(err('@reboot')).toMatch(/@reboot has no calendar/)
  })
})

describe('schedule units', () => {
  it('quotes arguments for the shell (cron % escaped) and for systemd (% and $ doubled)', () => {
    const u = scheduleUnits({cron: '0 2 * * 1', command: ['/usr/bin/node', '/opt/ha tang/bin/run.js', 'audit', '/etc/h%s.yaml', "it's"], unit: 'hatang-audit'})
    expect(u.cron).toBe(`0 2 * * 1 /usr/bin/node '/opt/ha tang/bin/run.js' audit /etc/h\\%s.yaml 'it'\\''s'`)
    expect(u.service).toContain('ExecStart=/usr/bin/node "/opt/ha tang/bin/run.js" audit "/etc/h%%s.yaml" "it\'s"\n')
    expect(u.timer).toContain('OnCalendar=Mon *-*-* 02:00:00\n')
    expect(systemdQuote('a$b"c\\')).toBe('"a$$b\\"c\\\\"')
  })

  it('writes units systemd accepts', () => {
    const u = scheduleUnits({cron: '0 3 13 * 5', command: [process.execPath, '--version'], unit: 'hatang-audit', user: 'daemon'})
    expect(u.service).toContain('\nUser=daemon\n')
    expect(u.onCalendar).toHaveLength(2)
    const dir = spawnSync('mktemp', ['-d'], {encoding: 'utf8'}).stdout.trim()
    spawnSync('sh', ['-c', `cat > "${dir}/hatang-audit.service" && printf '%s' "$TIMER" > "${dir}/hatang-audit.timer"`], {input: u.service, env: {...process.env, TIMER: u.timer}})
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `${dir}/hatang-audit.timer`, `${dir}/hatang-audit.service`], {encoding: 'utf8'})
    spawnSync('rm', ['-rf', dir])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr.split('\n').filter((l) => /hatang-audit/.test(l) && !/Failed to .*bus|System has not been booted/.test(l))).toEqual([])
  })
})

describe('hatang schedule --sections / --skip', () => {
  it('passes the selection to audit as catalog ids, in catalog order, and refuses an unknown section before printing anything', () => {
    const skip = JSON.parse(hatang(['schedule', '--cron', '@daily', '--skip', 'Malware, packages', '--json']).stdout) as ScheduleUnits
    expect(skip.cron).toMatch(/ audit --quiet .* --skip packages,malware$/)
    expect(skip.service).toMatch(/^ExecStart=.* audit --quiet .* --skip packages,malware$/m)
    const only = JSON.parse(hatang(['schedule', '--cron', '@daily', '--sections', 'updates,timesync', '--json']).stdout) as ScheduleUnits
    expect(only.cron).toMatch(/ --sections updates,timeSync$/)
    const none = JSON.parse(hatang(['schedule', '--cron', '@daily', '--json']).stdout) as ScheduleUnits
    expect(none.cron).not.toMatch(/--sections|--skip/)
    const wrong = hatang(['schedule', '--cron', '@daily', '--skip', 'malwre'])
    expect(wrong.status).toBe(2)
    expect(wrong.stdout).toBe('')
    expect(wrong.stderr).toContain("--skip malwre: unknown section 'malwre' — did you mean 'malware'?")
    const both = hatang(['schedule', '--cron', '@daily', '--sections', 'os', '--skip', 'updates', '--json'])
    expect(both.status).toBe(2)
    expect((JSON.parse(both.stdout) as {error: {code: string}}).error.code).toBe('usage')
  })
})

describe('hatang schedule as a user who is not root', () => {
  it("runs the service as that user (User=), whose paths the units name; root's units have no User=", () => {
    const nobody = hatang(['schedule', '--cron', '@daily', '--json'], {asUid: 65534, env: {HOME: '/nonexistent'}})
    expect(nobody.status, nobody.stderr).toBe(0)
    const units = JSON.parse(nobody.stdout) as ScheduleUnits
    expect(units.service).toMatch(/^\[Service\]\nType=oneshot\nUser=nobody\nExecStart=.* audit --quiet --log \/nonexistent\/\.local\/state\/hatang\/audit\.log /m)
    const text = hatang(['schedule', '--cron', '@daily'], {asUid: 65534, env: {HOME: '/nonexistent'}})
    expect(text.stdout).toContain('in /etc/cron.d add the user, nobody, after the five time fields')
    expect(text.stdout).toMatch(/^User=nobody$/m)
    const root = JSON.parse(hatang(['schedule', '--cron', '@daily', '--json']).stdout) as ScheduleUnits
    expect(root.service).not.toMatch(/^User=/m)
  })
})
