import {ExitCode} from './exit-codes.js'

export interface StopSignals {
  /** Whether Ctrl-C or SIGTERM came while listening. */
  readonly received: boolean
  /** Stops listening: the signals kill again as they normally do. */
  release(): void
}

/**
 * Ctrl-C (SIGINT) and SIGTERM (systemctl stop, a cron wrapper's timeout) while work is under way: the first lets it
 * finish (saying so on stderr) so that what it did is stored and reported, then the command exits 130; a second
 * quits at once with 130. `onStop` runs on the first (a sweep stops starting hosts). The local audit's and the sweep's.
 */
export function listenForStop(what: string, onStop?: () => void): StopSignals {
  let received = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(ExitCode.Interrupted)
    received = true
    onStop?.()
    process.stderr.write(`\ninterrupted (${signal}): ${what} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit now)\n`)
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  return {
    get received() {
      return received
    },
    release: () => void process.off('SIGINT', onSignal).off('SIGTERM', onSignal),
  }
}
