import path from 'node:path'

import {xdgDir as xdg} from '../files/xdg.js'

export {hatangCacheDir} from '../files/xdg.js'

/** hatang's data folder: $XDG_DATA_HOME/hatang (default ~/.local/share/hatang): the store, scheduled reports. */
export const hatangDataDir = (env: NodeJS.ProcessEnv = process.env) => path.join(xdg('XDG_DATA_HOME', '.local/share', env), 'hatang')

/** hatang's state folder: $XDG_STATE_HOME/hatang (default ~/.local/state/hatang): logs. */
export const hatangStateDir = (env: NodeJS.ProcessEnv = process.env) => path.join(xdg('XDG_STATE_HOME', '.local/state', env), 'hatang')
