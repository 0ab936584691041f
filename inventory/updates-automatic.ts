import type {AutomaticUpdatesData, UPDATE_MANAGERS} from '../src/model/sections/updates.js'
import type {UpdateState} from './updates-state.js'

const OFF_STATES = new Set(['disabled', 'masked', 'masked-runtime', 'static', 'indirect', 'bad', ''])

/** The mechanism that installs updates unattended (unattended-upgrades, dnf-automatic, yum-cron) and whether it is on, from the state command. */
export function automaticUpdatesFrom(s: UpdateState, manager: (typeof UPDATE_MANAGERS)[number] | undefined): AutomaticUpdatesData {
  const unit = (names: string[]) => names.find((u) => s.units.has(u))
  const prefersDnf = manager === 'dnf' || manager === 'yum'
  if (s.tools.has('unattended-upgrade') && !prefersDnf) {
    const config = s.aptConfig
    const uu = config?.get('UU')
    const upl = config?.get('UPL')
    const off = (v: string | undefined) => v === undefined || v === '' || v === '0'
    const u = unit(['apt-daily-upgrade.timer'])
    const state = u ? s.units.get(u) : undefined
    const timerOff = state !== undefined && OFF_STATES.has(state)
    // apt's settings not read: off only when the timer says so, else not told
    const enabled = config ? !off(uu) && config.get('EN') !== '0' && !timerOff : timerOff ? false : undefined
    return {
      mechanism: 'unattended-upgrades',
      ...(enabled === undefined ? {} : {enabled}),
      ...(u ? {unit: u} : {}),
      ...(state ? {unitState: state} : {}),
      ...(config ? {unattendedUpgrade: uu ?? '', updatePackageLists: upl ?? ''} : {}),
    }
  }
  const dnfUnit = unit(['dnf-automatic-install.timer', 'dnf-automatic.timer', 'dnf5-automatic.timer'])
  if (s.tools.has('dnf-automatic') || dnfUnit) {
    const enabledUnit = ['dnf-automatic-install.timer', 'dnf-automatic.timer', 'dnf5-automatic.timer'].find((u) => s.units.get(u) === 'enabled')
    const u = enabledUnit ?? dnfUnit
    const apply = s.dnfApplyUpdates === undefined ? undefined : /^(1|yes|true|on)$/i.test(s.dnfApplyUpdates)
    return {
      mechanism: 'dnf-automatic',
      ...(s.units.size > 0 || u ? {enabled: enabledUnit !== undefined} : {}),
      ...(u ? {unit: u, unitState: s.units.get(u) || 'unknown'} : {}),
      ...(enabledUnit === 'dnf-automatic-install.timer' ? {applyUpdates: true} : apply === undefined ? {} : {applyUpdates: apply}),
    }
  }
  if (s.tools.has('yum-cron')) {
    const state = s.units.get('yum-cron.service')
    return {
      mechanism: 'yum-cron',
      ...(state === undefined ? {} : {enabled: state === 'enabled', unit: 'yum-cron.service', unitState: state || 'unknown'}),
    }
  }
  return {mechanism: 'none', enabled: false}
}
