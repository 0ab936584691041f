import type {PushedRun} from '../../runs/push.js'

/** A progress line: `pushed run 3 (uuid …, 12 hosts) → centre run 41`, or that the centre had it already. */
export function renderPushed(p: PushedRun): string {
  const what = `run ${p.run} (uuid ${p.uuid}, ${p.hosts} host${p.hosts === 1 ? '' : 's'})`
  return p.already ? `${what} already there as centre run ${p.centreRun}` : `pushed ${what} → centre run ${p.centreRun}`
}

/** audit --push's warning when the run could not be pushed: the target, the cause, and that the run is kept here. */
export function pushWarning(push: {target: string; error?: string}): string {
  return `the run was stored here but not pushed to ${push.target}: ${push.error ?? 'unknown cause'}; 'hatang push --to URL' sends it later`
}
