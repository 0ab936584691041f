import {Chalk, type ChalkInstance} from 'chalk'

/**
 * Colour and interactivity, decided once: NO_COLOR (any value) and a non-TTY turn colour off,
 * FORCE_COLOR turns it on; progress animations only on a TTY.
 */
export interface OutputStyle {
  color: ChalkInstance
  interactive: boolean
}

export function outputStyle(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): OutputStyle {
  const tty = Boolean(stream.isTTY) && env.TERM !== 'dumb'
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  const level = noColor ? 0 : forced || tty ? (env.COLORTERM === 'truecolor' ? 3 : 1) : 0
  return {color: new Chalk({level}), interactive: Boolean(process.stderr.isTTY) && env.TERM !== 'dumb' && env.CI === undefined}
}
