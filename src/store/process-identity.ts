import {readFileSync} from 'node:fs'

/** When a process started, in clock ticks since boot (Linux /proc/PID/stat field 22); null where unknown. */
export function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
    return Number.isSafeInteger(start) ? start : null
  } catch {
    return null
  }
}

/** Whether a process of this machine is still there (EPERM: it is, under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Whether the process that wrote down (pid, start) is gone: no such pid, or the pid now belongs to a process
 * started at another time (the pid was reused after a reboot or a kill). `start` null: the pid alone decides.
 */
export function processGone(pid: number, start: number | null): boolean {
  if (!processAlive(pid)) return true
  if (start === null) return false
  const now = processStart(pid)
  return now !== null && now !== start
}
