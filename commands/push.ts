import {Args, Flags} from '@oclif/core'

import {renderPushed} from '../src/cli/views/render-push.js'
import {StoreCommand, storeFlag, storePassword} from '../src/cli/store-command.js'
import {pushRuns, type PushOutcome} from '../src/runs/push.js'

export default class Push extends StoreCommand {
  static override summary = "Send this site's runs to the centre's store (PostgreSQL, or an SQLite file), each in one transaction; a run already there is not stored twice."
  static override description =
    'Without RUN: every complete run not yet pushed to that centre, oldest first (pushes are remembered in the local store, so the next push sends the rest). ' +
    'The centre gives each run its own id and keeps its uuid and site. Exit 5 when the centre cannot be reached, 2 for a wrong password; runs pushed before a failure stay pushed.'
  static override examples = [
    '<%= config.bin %> push --to postgres://hatang@centre.example:5432/hatang',
    '<%= config.bin %> push 12 13 --to postgres://hatang@centre.example/hatang --json',
  ]
  static override strict = false
  static override args = {runs: Args.string({description: 'run ids to push (default: every run not pushed there yet)'})}
  static override flags = {
    to: Flags.string({summary: "The centre's store: postgres://USER@HOST:PORT/DB (password from PGPASSWORD, ~/.pgpass, or typed on a terminal), or an SQLite file.", env: 'HATANG_PUSH_TO', required: true, helpValue: 'URL'}),
    store: storeFlag,
  }

  async run(): Promise<PushOutcome> {
    const {argv, flags} = await this.parse(Push)
    const ids = argv.length > 0 ? (argv as string[]).map((a) => this.runId(a)) : undefined
    const outcome = await this.withStore(flags.store, (store) => pushRuns(store, flags.to, ids, (p) => {
      if (!this.jsonEnabled()) this.log(renderPushed(p))
    }, storePassword()), {create: false})
    if (!this.jsonEnabled() && outcome.pushed.length === 0) this.log(`nothing to push: every complete run is at ${outcome.target} already`)
    return outcome
  }
}
