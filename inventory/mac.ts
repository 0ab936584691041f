import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, firstLineInto, lines, parseKeyValueLines} from './kit/probe-helpers.js'
import {macSection, type MacData} from '../src/model/sections/mac.js'

export interface MacState {
  apparmor: {present: boolean; enabled: boolean; profiles?: NonNullable<MacData['apparmor']['profiles']>; profilesDenied: boolean}
  selinux: MacData['selinux']
}

/**
 * Parses the `state` command: `apparmor.present=`, `apparmor.enabled=`, then the profiles file after
 * `--- profiles` up to `---` (or `apparmor.profiles=denied|absent`), `selinux.enforce=`, and /etc/selinux/config after `--- selinux config`.
 */
export function parseMacState(text: string): MacState {
  let section = ''
  const kv = new Map<string, string>()
  const profileLines: string[] = []
  const selinuxConfig: string[] = []
  let sawProfiles = false
  for (const raw of lines(text)) {
    const line = raw.trim()
    const sec = /^--- (profiles|selinux config)$/.exec(line)
    if (sec) {
      section = sec[1]!
      if (section === 'profiles') sawProfiles = true
      continue
    }
    if (line === '---') {
      section = ''
      continue
    }
    if (section === 'profiles') {
      if (line !== '') profileLines.push(line)
      continue
    }
    if (section === 'selinux config') {
      selinuxConfig.push(raw)
      continue
    }
    const m = /^([a-z.]+)=(.*)$/.exec(line)
    if (m) kv.set(m[1]!, m[2]!.trim())
    else if (line !== '') throw new ParseError(`unexpected line: ${JSON.stringify(line.slice(0, 60))}`)
  }
  if (!kv.has('apparmor.present') || !kv.has('selinux.enforce')) throw new ParseError('missing apparmor.present= or selinux.enforce=')
  const present = kv.get('apparmor.present') === 'yes'
  const apparmor: MacState['apparmor'] = {present, enabled: present && /^Y/i.test(kv.get('apparmor.enabled') ?? ''), profilesDenied: kv.get('apparmor.profiles') === 'denied'}
  if (sawProfiles) {
    const p = {total: 0, enforce: 0, complain: 0, kill: 0, unconfined: 0, other: 0}
    for (const l of profileLines) {
      const m = /\((enforce|complain|kill|unconfined|[a-z_-]+)\)$/.exec(l)
      if (!m) throw new ParseError(`not a profile line: ${JSON.stringify(l.slice(0, 60))}`)
      p.total++
      const mode = m[1] as keyof typeof p
      if (mode in p && mode !== 'total' && mode !== 'other') p[mode]++
      else p.other++
    }
    apparmor.profiles = p
  }
  const enforce = kv.get('selinux.enforce')
  const cfg = parseKeyValueLines(selinuxConfig.join('\n'))
  const selinux: MacData['selinux'] = {
    enabled: enforce === '0' || enforce === '1',
    mode: enforce === '1' ? 'enforcing' : enforce === '0' ? 'permissive' : 'disabled',
  }
  const cm = cfg.get('SELINUX')
  const ct = cfg.get('SELINUXTYPE')
  if (cm) selinux.configMode = cm
  if (ct) selinux.configType = ct
  return {apparmor, selinux}
}

const PROFILES = '/sys/kernel/security/apparmor/profiles'

export const macProbe = defineProbe({
  section: macSection,
  platforms: ['Linux'],
  commands: {
    state: [
      'if [ -d /sys/module/apparmor ]; then echo apparmor.present=yes; else echo apparmor.present=no; fi',
      `${firstLineInto('/sys/module/apparmor/parameters/enabled')}; echo "apparmor.enabled=$_l"`,
      `if [ -r ${PROFILES} ] && cat ${PROFILES} >/dev/null 2>&1; then echo '--- profiles'; cat ${PROFILES}; echo '---'; elif [ -e ${PROFILES} ] || { [ -d /sys/module/apparmor ] && [ ! -r /sys/kernel/security ]; }; then echo apparmor.profiles=denied; else echo apparmor.profiles=absent; fi`,
      `${firstLineInto('/sys/fs/selinux/enforce')}; echo "selinux.enforce=$_l"`,
      "[ -r /etc/selinux/config ] && { echo '--- selinux config'; cat /etc/selinux/config; }; exit 0",
    ].join('\n'),
  },
  interpret(out) {
    const fail = failure(out.state, 'MAC state')
    if (fail) return fail
    const s = parseMacState(out.state!.stdout)
    const data: MacData = {
      active: s.apparmor.enabled ? 'apparmor' : s.selinux.enabled ? 'selinux' : 'none',
      apparmor: {present: s.apparmor.present, enabled: s.apparmor.enabled, ...(s.apparmor.profiles ? {profiles: s.apparmor.profiles} : {})},
      selinux: s.selinux,
    }
    if (s.apparmor.enabled && !s.apparmor.profiles) {
      return {status: 'partial', reason: s.apparmor.profilesDenied ? 'needs root: AppArmor profile counts' : 'AppArmor profiles: securityfs not mounted', data}
    }
    return {status: 'ok', data}
  },
})
