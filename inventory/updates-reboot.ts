import type {RebootData} from '../src/model/sections/updates.js'
import type {UpdateState} from './updates-state.js'

/** The leading numbers of a kernel release: 6.1.0-26-amd64 → [6, 1, 0, 26]; 5.14.0-427.13.1.el9_4.x86_64 → [5, 14, 0, 427, 13, 1]. */
export function kernelNumbers(release: string): number[] {
  const m = /^\d+(?:[.-]\d+)*/.exec(release)
  return m ? m[0].split(/[.-]/).map(Number) : []
}

/** Compares two kernel releases by their leading numbers (flavours of the same version compare equal). */
export function compareKernels(a: string, b: string): number {
  const x = kernelNumbers(a)
  const y = kernelNumbers(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1)
    if (d !== 0) return d
  }
  return 0
}

/** Reboot signals: reboot-required, needs-restarting -r, a newer kernel installed, the running kernel's image replaced since boot. */
export function rebootFrom(s: UpdateState): RebootData {
  const running = s.runningKernel!
  const reasons: string[] = []
  let no = false
  const flagFile = [...s.mtimes.keys()].find((p) => /\/run\/reboot-required$/.test(p))
  if (flagFile) reasons.push(`${flagFile} exists`)
  if (s.needsRestarting === 1) reasons.push('needs-restarting -r says so')
  else if (s.needsRestarting === 0) no = true
  const images = new Map<string, number>()
  for (const [p, t] of s.mtimes) {
    const m = /^\/boot\/vmlinu[xz]-(.+)$/.exec(p)
    if (m) images.set(m[1]!, t)
  }
  const installed = (images.size > 0 ? [...images.keys()] : [...s.modules]).filter((k) => kernelNumbers(k).length > 0)
  installed.sort((a, b) => compareKernels(a, b) || (a < b ? -1 : a > b ? 1 : 0))
  const newest = installed.at(-1)
  if (newest !== undefined) {
    if (compareKernels(newest, running) > 0) reasons.push(`kernel ${newest} installed, ${running} running`)
    else if (installed.includes(running)) no ||= s.needsRestarting === undefined
    const image = images.get(running)
    if (image !== undefined && s.bootEpoch !== undefined && image > s.bootEpoch) reasons.push(`kernel image of ${running} replaced since boot`)
  }
  const required = reasons.length > 0 ? true : no ? false : undefined
  return {
    ...(required === undefined ? {} : {required}),
    reasons,
    packages: s.rebootPackages,
    runningKernel: running,
    installedKernels: installed,
    ...(newest ? {newestKernel: newest} : {}),
  }
}
