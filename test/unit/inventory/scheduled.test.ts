import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../inventory/kit/parse-error.js'
import {backupToolOf} from '../../../inventory/scheduled-backup.js'
import {maskSecretArguments as maskSecrets} from '../../../inventory/kit/secret-arguments.js'
import {crontabJobs, executableOf} from '../../../inventory/scheduled-jobs.js'
import {atOwners, parseJobsOutput} from '../../../inventory/scheduled-output.js'
import {scheduledProbe} from '../../../inventory/scheduled.js'
import {ScheduledSchema, type ScheduledData} from '../../../src/model/sections/scheduled.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, probeFixtures, stdoutOf} from '../../support/fixtures.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('scheduled')
const dataOf = (platform: string) => {
  const f = loadFixture(platform, 'scheduled')
  const r = scheduledProbe.interpret(f.outputs, contextOf(f))
  return {r, d: r.data as ScheduledData, f}
}

describe('scheduled probe on captured output', () => {
  it('has captures from several real systems', () => expect(fixtures.length).toBeGreaterThanOrEqual(4))

  for (const f of fixtures) {
    it(`${f.platform}: a valid section; every run-parts script and every system crontab line is a job`, () => {
      const r = scheduledProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(ScheduledSchema, r.data)).toEqual([])
      const d = r.data!
      const jobs = stdoutOf(f, 'jobs')
      expect(d.cron.installed).toBe(jobs.includes('!cron '))
      for (const run of jobs.matchAll(/^!run (\S+)$/gm)) expect(d.jobs.map((j) => j.id)).toContain(run[1])
      // every enabled timer that has a unit file is a job, enabled
      for (const w of jobs.matchAll(/^!wants (\S+)$/gm)) {
        const job = d.jobs.find((j) => j.id === w[1])
        if (job) expect(job.enabled).toBe(true)
      }
      for (const j of d.jobs) expect(j.command.length).toBeLessThanOrEqual(512)
    })
  }

  it('this machine (no cron daemon, systemd not running): cron.d lines and timers from unit files, shell snippets run by /bin/sh', () => {
    const {r, d} = dataOf('debian-12-root')
    expect(r.status).toBe('ok')
    expect(d.cron).toEqual({installed: false})
    expect(d.systemd).toBe(false)
    const e2scrub = d.jobs.find((j) => j.id === '/etc/cron.d/e2scrub_all:2')!
    expect(e2scrub).toMatchObject({kind: 'crontab', user: 'root', schedule: '10 3 * * *', executable: 'test', executablePath: '/bin/sh', worldWritable: false})
    const manDb = d.jobs.find((j) => j.id === 'man-db.timer')!
    expect(manDb).toMatchObject({kind: 'timer', user: 'man', schedule: 'OnCalendar=daily', enabled: true, executablePath: '/usr/bin/install'})
    // a template timer is no job until an instance is enabled
    expect(d.jobs.some((j) => j.id.startsWith('pg_dump@'))).toBe(false)
    expect(d.backup).toEqual([])
  })

  it('pass capture: root crontab runs restic, a daily script runs pg_dumpall; nothing world-writable', () => {
    const {r, d} = dataOf('debian-11-scheduled-pass')
    expect(r.status).toBe('ok')
    expect(d.userCrontabs).toEqual({users: ['root']})
    const restic = d.jobs.find((j) => j.kind === 'user-crontab')!
    expect(restic).toMatchObject({user: 'root', schedule: '30 2 * * *', executablePath: '/usr/bin/restic', worldWritable: false})
    expect(d.backup).toEqual([
      {tool: 'restic', via: 'job', where: '/var/spool/cron/crontabs/root:4'},
    ])
    expect(d.jobs.filter((j) => j.user === 'root').every((j) => j.worldWritable === false)).toBe(true)
  })

  it('fail capture: no backup; a root job runs a script in a 0777 folder; a user job runs from /tmp', () => {
    const {r, d} = dataOf('debian-11-scheduled-fail')
    expect(r.status).toBe('ok')
    expect(d.backup).toEqual([])
    expect(d.jobs.find((j) => j.id === '/etc/cron.d/cleanup:2')).toMatchObject({user: 'root', executablePath: '/opt/jobs/cleanup.sh', owner: 'root', worldWritable: true, writablePath: '/opt/jobs'})
    expect(d.jobs.find((j) => j.kind === 'user-crontab')).toMatchObject({user: 'www-data', worldWritable: true, writablePath: '/tmp'})
  })

  it('an ordinary user cannot list per-user crontabs or the at queue: those items need root, backup is unknown', () => {
    // the jobs command's output as an unprivileged user prints it where the spool exists (see crontabs() in JOBS_COMMAND)
    const f = loadFixture('debian-11-chroot', 'scheduled')
    const outputs = {...f.outputs, jobs: {...f.outputs.jobs!, stdout: `!denied /var/spool/cron/crontabs\n!denied /var/spool/cron/atjobs\n${f.outputs.jobs!.stdout}`}}
    const r = scheduledProbe.interpret(outputs, {uid: 65534, privileged: false, os: 'Linux'})
    expect(r.status).toBe('partial')
    expect(r.reason).toContain('needs root to read /var/spool/cron/crontabs, /var/spool/cron/atjobs')
    expect(r.data!.userCrontabs).toBeUndefined()
    expect(r.data!.at).toBeUndefined()
    expect(r.data!.backup).toBeUndefined()
  })
})

describe('scheduled job rules', () => {
  it('the program a command runs: past assignments, wrappers and shells', () => {
    expect(executableOf('SERVICE_MODE=1 /sbin/e2scrub_all -A -r')).toBe('/sbin/e2scrub_all')
    expect(executableOf('nice -n 10 ionice -c3 /usr/local/bin/backup.sh')).toBe('/usr/local/bin/backup.sh')
    expect(executableOf('flock -n /run/x.lock timeout 1h /opt/x run')).toBe('/opt/x')
    expect(executableOf('/bin/sh -c "/opt/jobs/a.sh --now"')).toBe('/opt/jobs/a.sh')
    expect(executableOf('bash /srv/b.sh')).toBe('/srv/b.sh')
    expect(executableOf('test -x /usr/sbin/anacron || run-parts /etc/cron.daily')).toBe('test')
  })

  it('secrets in a command are masked', () => {
    expect(maskSecrets('mysqldump -uroot -pS3cret db')).toBe('mysqldump -uroot -p*** db')
    expect(maskSecrets('borg create --passphrase hunter2 ::x /')).toBe('borg create --passphrase *** ::x /')
    expect(maskSecrets('PGPASSWORD=abc pg_dump x')).toBe('PGPASSWORD=*** pg_dump x')
    expect(maskSecrets('duplicity / sftp://u:pw@h/x')).toBe('duplicity / sftp://u:***@h/x')
    // a file that holds the password is no secret: the reviewer needs to know where it is
    expect(maskSecrets('restic backup --password-file /root/p /etc')).toBe('restic backup --password-file /root/p /etc')
  })

  it('backup tools are recognised by name; rsync only to another machine', () => {
    expect(backupToolOf('/usr/bin/borgmatic --verbosity 1')).toBe('borg')
    expect(backupToolOf('su postgres -c "pg_dumpall" | gzip')).toBe('postgresql dump')
    expect(backupToolOf('rsync -a /srv/ backup.example:/srv/')).toBe('rsync to a remote target')
    expect(backupToolOf('rsync -a /srv/ /mnt/copy/')).toBeUndefined()
    expect(backupToolOf('/usr/lib/apt/apt.systemd.daily update')).toBeUndefined()
  })

  it('crontab lines: system ones carry a user, @special schedules, environment lines are no jobs', () => {
    const none = {which: new Map<string, string>(), stats: new Map()}
    const jobs = crontabJobs({path: '/var/spool/cron/crontabs/alice', lines: [{n: 1, text: 'MAILTO=x'}, {n: 2, text: '@reboot /home/alice/start'}]}, none)
    expect(jobs).toEqual([{id: '/var/spool/cron/crontabs/alice:2', kind: 'user-crontab', file: '/var/spool/cron/crontabs/alice', line: 2, user: 'alice', schedule: '@reboot', command: '/home/alice/start', executable: '/home/alice/start', executablePath: '/home/alice/start'}])
  })

  it('rejects what is not the commands output; survives garbage', () => {
    expect(() => parseJobsOutput('30 2 * * * root x\n')).toThrow(ParseError)
    const parsed = parseJobsOutput('!at /usr/bin/at\n!agent Veeam|/usr/lib/systemd/system/veeamservice.service\n!stat 600 alice regular file /var/spool/at/a0001\n!stat 700 daemon directory /var/spool/at/spool\n')
    expect(parsed.at).toBe('/usr/bin/at')
    expect(parsed.agents).toEqual([{tool: 'Veeam', where: '/usr/lib/systemd/system/veeamservice.service'}])
    expect(atOwners(parsed, ['/var/spool/at'])).toEqual(['alice'])
    assertParserSurvivesGarbage(parseJobsOutput, fixtures.map((f) => stdoutOf(f, 'jobs')))
  })
})
