import type {LevelProfile} from '../engine/checks/level-profile.js'
import type {Lang} from './locale.js'

/** The level profile a run was judged with, in one line of the summary: which level, how many checks, on what footing. */
export function levelProfileLine(p: LevelProfile, lang: Lang): string {
  const footing = p.status === 'confirmed' ? '' : lang === 'vi' ? ' — ánh xạ chưa được xác nhận' : ' — mapping unconfirmed'
  const uncovered = p.uncovered.length === 0 ? '' : lang === 'vi' ? `; chưa có kiểm tra cho: ${p.uncovered.join(', ')}` : `; no check judges: ${p.uncovered.join(', ')}`
  return lang === 'vi'
    ? `hồ sơ cấp độ ${p.level} (${p.framework}): ${p.checks} kiểm tra${footing}${uncovered}`
    : `security level ${p.level} profile (${p.framework}): ${p.checks} checks${footing}${uncovered}`
}
