import {defineProbe} from './kit/probe.js'
import {failure} from './kit/probe-helpers.js'
import {recogniseBackup} from './scheduled-backup.js'
import {AT_DIRS, JOBS_COMMAND, USER_CRONTAB_DIRS} from './scheduled-commands.js'
import {crontabJobs, runPartsJobs, timerJobs} from './scheduled-jobs.js'
import {atOwners, parseJobsOutput} from './scheduled-output.js'
import {scheduledSection, type ScheduledData} from '../src/model/sections/scheduled.js'

export const scheduledProbe = defineProbe({
  section: scheduledSection,
  platforms: ['Linux'],
  commands: {jobs: JOBS_COMMAND},
  interpret(out) {
    const fail = failure(out.jobs, 'scheduled jobs')
    if (fail) return fail
    const parsed = parseJobsOutput(out.jobs!.stdout)
    const jobs = [...parsed.crontabs.flatMap((f) => crontabJobs(f, parsed)), ...runPartsJobs(parsed.runParts, parsed), ...timerJobs(parsed)]
    const unreadable = parsed.denied
    const data: ScheduledData = {cron: {installed: parsed.cron !== undefined, ...(parsed.cron ? {program: parsed.cron} : {})}, systemd: parsed.systemd, jobs}
    // per-user crontabs: read when none of their folders or files was denied
    const userDenied = parsed.denied.some((p) => !AT_DIRS.includes(p) && USER_CRONTAB_DIRS.some((d) => p === d || p.startsWith(`${d}/`)))
    if (!userDenied) data.userCrontabs = {users: [...new Set(jobs.filter((j) => j.kind === 'user-crontab').map((j) => j.user))].sort()}

    const atDenied = parsed.denied.filter((p) => AT_DIRS.includes(p))
    if (atDenied.length === 0) {
      const owners = atOwners(parsed, AT_DIRS)
      data.at = {installed: parsed.at !== undefined, jobs: owners.length, owners: [...new Set(owners)].sort()}
    }
    const backup = recogniseBackup(jobs, data.cron.installed, parsed.agents)
    // nothing recognised is "none" only when every job could be read
    if (backup.length > 0 || !userDenied) data.backup = backup

    const reasons = unreadable.length ? [`needs root to read ${unreadable.join(', ')}`] : []
    if (unreadable.length) data.unreadable = unreadable
    return reasons.length ? {status: 'partial', reason: reasons.join('; '), data} : {status: 'ok', data}
  },
})
