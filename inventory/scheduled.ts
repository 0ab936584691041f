import {defineProbe} from './kit/probe.js'
import {failure} from './kit/probe-helpers.js'
import {recogniseBackup} from './scheduled-backup.js'
import {AGENTS_COMMAND, AT_COMMAND, JOBS_COMMAND, USER_CRONTAB_DIRS} from './scheduled-commands.js'
import {crontabJobs, runPartsJobs, timerJobs} from './scheduled-jobs.js'
import {parseAgentsOutput, parseAtOutput, parseJobsOutput} from './scheduled-output.js'
import {scheduledSection, type ScheduledData} from '../src/model/sections/scheduled.js'

export const scheduledProbe = defineProbe({
  section: scheduledSection,
  platforms: ['Linux'],
  commands: {jobs: JOBS_COMMAND, at: AT_COMMAND, agents: AGENTS_COMMAND},
  interpret(out) {
    const fail = failure(out.jobs, 'scheduled jobs')
    if (fail) return fail
    const parsed = parseJobsOutput(out.jobs!.stdout)
    const jobs = [...parsed.crontabs.flatMap((f) => crontabJobs(f, parsed)), ...runPartsJobs(parsed.runParts, parsed), ...timerJobs(parsed)]
    const unreadable = [...parsed.denied]
    const data: ScheduledData = {cron: {installed: parsed.cron !== undefined, ...(parsed.cron ? {program: parsed.cron} : {})}, systemd: parsed.systemd, jobs}
    // per-user crontabs: read when none of their folders or files was denied
    const userDenied = parsed.denied.some((p) => USER_CRONTAB_DIRS.some((d) => p === d || p.startsWith(`${d}/`)))
    if (!userDenied) data.userCrontabs = {users: [...new Set(jobs.filter((j) => j.kind === 'user-crontab').map((j) => j.user))].sort()}

    const atFail = failure(out.at, 'at queue')
    if (!atFail) {
      const at = parseAtOutput(out.at!.stdout)
      if (at.denied.length) unreadable.push(...at.denied)
      else data.at = {installed: at.program !== undefined, jobs: at.owners.length, owners: [...new Set(at.owners)].sort()}
    }
    const agentsFail = failure(out.agents, 'backup agents')
    const agents = agentsFail ? [] : parseAgentsOutput(out.agents!.stdout)
    const backup = recogniseBackup(jobs, data.cron.installed, agents)
    // nothing recognised is "none" only when every job and agent could be read
    if (backup.length > 0 || (!userDenied && !agentsFail)) data.backup = backup

    const reasons = [...(unreadable.length ? [`needs root to read ${unreadable.join(', ')}`] : []), ...(atFail ? [atFail.reason] : []), ...(agentsFail ? [agentsFail.reason] : [])]
    if (unreadable.length) data.unreadable = unreadable
    return reasons.length ? {status: 'partial', reason: reasons.join('; '), data} : {status: 'ok', data}
  },
})
