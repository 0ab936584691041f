import {Flags} from '@oclif/core'

import {SECURITY_LEVELS} from '../engine/checks/level-mapping.js'

/** `--level N` on the commands that judge a run (check, audit): only the checks a system of that security level must pass. */
export const levelFlag = Flags.integer({
  min: SECURITY_LEVELS[0],
  max: SECURITY_LEVELS.at(-1),
  summary: 'Judge only the checks a system of this security level (cấp độ 1-5, Circular 12/2022/TT-BTTTT) must pass; the mapping is unconfirmed.',
  helpValue: 'N',
})
