/**
 * `npm run bench:target`: the target's CPU for one full inventory, per section and command, measured on this machine
 * (the table `npm run bench:sweep` prints too), without a sweep. FOCUS=scheduled,logins sums the named sections on a
 * line of their own: what they add to every audited host. RUNS=5 runs of each command (median of nothing: the mean
 * of RUNS, read from the shell's `times`).
 */
import {appendResults, machine} from './measure.js'
import {targetWork, targetWorkTable} from './target-work.js'

const focus = (process.env.FOCUS ?? '').split(',').filter(Boolean)
const runs = Number(process.env.RUNS ?? 5)
const body = `${targetWorkTable(targetWork(runs), focus)}\n\nEach probe command run ${runs} times as a batch runs it (a dash subshell, or where there is no dash a bash one acting as sh -c; LC_ALL=C, stdin /dev/null), a shared command (the process table) once, under "shared", as ${process.getuid?.() === 0 ? 'root' : 'an ordinary user'}; CPU of the command and its children. ${machine()}.`
console.log(body)
appendResults('Target work per section (npm run bench:target)', `${focus.length ? `FOCUS=${focus.join(',')} ` : ''}RUNS=${runs} npm run bench:target`, body)
