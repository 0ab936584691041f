import {ParseError} from './kit/parse-error.js'
import {firstLineInto, IN_BASH5, lines, printLineStarting, toInt} from './kit/probe-helpers.js'

const UNITS = ['apt-daily-upgrade.timer', 'dnf-automatic.timer', 'dnf-automatic-install.timer', 'dnf5-automatic.timer', 'yum-cron.service']

/** Everything else, from files and cheap tools only: one `key value` line each. */
export const STATE = [
  // the clock and the boot time by bash 5 itself where it runs the batch (IN_BASH5): two programs less
  `if ${IN_BASH5}; then echo "now $EPOCHSECONDS"; else echo "now $(date +%s)"; fi`,
  `{ ${printLineStarting('/proc/stat', 'btime ', 'boot ')}; } 2>/dev/null`,
  // uname -r, read by the shell itself
  `${firstLineInto('/proc/sys/kernel/osrelease')} || _l=$(uname -r); echo "kernel $_l"`,
  "stat -c 'mtime %Y %n' /var/lib/apt/lists /var/lib/apt/periodic/update-success-stamp /var/run/reboot-required" +
    ' /var/cache/dnf/*/repodata/repomd.xml /var/cache/libdnf5/*/repodata/repomd.xml /var/cache/yum/*/*/*/repomd.xml' +
    ' /boot/vmlinuz-* /boot/vmlinux-* 2>/dev/null',
  'set -- /var/lib/apt/lists/*_Packages*; [ -e "$1" ] && echo "aptlists $#"',
  'for d in /lib/modules/* /usr/lib/modules/*; do [ -d "$d" ] && echo "module ${d##*/}"; done',
  "[ -r /var/run/reboot-required.pkgs ] && sed 's/^/rebootpkg /' /var/run/reboot-required.pkgs",
  'if command -v needs-restarting >/dev/null 2>&1; then needs-restarting -r >/dev/null 2>&1; echo "needsrestarting $?"; fi',
  'for t in unattended-upgrade dnf-automatic yum-cron; do command -v $t >/dev/null 2>&1 && echo "tool $t"; done',
  "[ -r /etc/dnf/automatic.conf ] && sed -n 's/^[[:space:]]*apply_updates[[:space:]]*=[[:space:]]*/dnfapply /p' /etc/dnf/automatic.conf",
  `if command -v systemctl >/dev/null 2>&1; then for u in ${UNITS.join(' ')}; do for p in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do if [ -e "$p/$u" ]; then echo "unit $u $(systemctl is-enabled "$u" 2>/dev/null)"; break; fi; done; done; fi`,
  'exit 0',
].join('\n')

export interface UpdateState {
  nowEpoch?: number
  bootEpoch?: number
  runningKernel?: string
  /** path → mtime (seconds since the epoch). */
  mtimes: Map<string, number>
  aptListFiles: number
  modules: string[]
  rebootPackages: string[]
  needsRestarting?: number
  tools: Set<string>
  /**
   * apt's unattended-upgrade settings (APT_PERIODIC), read by the pending command's apt-config (aptConfigOf,
   * updates-apt-lists.ts); undefined when it did not answer.
   */
  aptConfig?: Map<string, string>
  dnfApplyUpdates?: string
  units: Map<string, string>
}

/** Parses the `state` command: one `key value` line each. */
export function parseUpdateState(text: string): UpdateState {
  const s: UpdateState = {mtimes: new Map(), aptListFiles: 0, modules: [], rebootPackages: [], tools: new Set(), units: new Map()}
  let known = 0
  lines(text).forEach((line, i) => {
    if (line.trim() === '') return
    const sp = line.indexOf(' ')
    const key = sp < 0 ? line : line.slice(0, sp)
    const value = sp < 0 ? '' : line.slice(sp + 1)
    known++
    switch (key) {
      case 'now':
        s.nowEpoch = epoch(value, i)
        break
      case 'boot':
        s.bootEpoch = epoch(value, i)
        break
      case 'kernel':
        if (value.trim()) s.runningKernel = value.trim()
        break
      case 'mtime': {
        const m = /^(\d+) (\/.*)$/.exec(value)
        if (!m) throw new ParseError(`expected "mtime SECONDS PATH": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        s.mtimes.set(m[2]!, Number(m[1]))
        break
      }
      case 'aptlists':
        s.aptListFiles = toInt(value) ?? bad(line, i)
        break
      case 'module':
        if (value && !s.modules.includes(value)) s.modules.push(value)
        break
      case 'rebootpkg':
        if (value.trim() && !s.rebootPackages.includes(value.trim())) s.rebootPackages.push(value.trim())
        break
      case 'needsrestarting':
        s.needsRestarting = toInt(value) ?? bad(line, i)
        break
      case 'tool':
        s.tools.add(value)
        break
      case 'dnfapply':
        s.dnfApplyUpdates = value.trim()
        break
      case 'unit': {
        const [unit, state] = value.split(' ')
        if (!unit) bad(line, i)
        s.units.set(unit!, state ?? '')
        break
      }
      default:
        known--
        throw new ParseError(`unknown line ${JSON.stringify(line.slice(0, 80))}`, i + 1)
    }
  })
  if (known === 0 || s.runningKernel === undefined || s.nowEpoch === undefined) throw new ParseError('no "now" and "kernel" lines')
  return s
}

function epoch(value: string, i: number): number {
  const n = toInt(value)
  if (n === undefined || n < 0) throw new ParseError(`not seconds since the epoch: ${JSON.stringify(value.slice(0, 40))}`, i + 1)
  return n
}

function bad(line: string, i: number): never {
  throw new ParseError(`malformed line ${JSON.stringify(line.slice(0, 80))}`, i + 1)
}
