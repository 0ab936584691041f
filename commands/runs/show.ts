import {Args} from '@oclif/core'

import type {Scores} from '../../src/engine/scores.js'
import {renderRun} from '../../src/store/render-runs.js'
import {StoreCommand, storeFlag} from '../../src/store/store-command.js'
import {StoreError} from '../../src/store/store-error.js'
import type {RunHost, RunRecord} from '../../src/store/store.js'

export default class RunsShow extends StoreCommand {
  static override summary = "Show one run: who and when, every host's status, check counts and score."
  static override examples = ['<%= config.bin %> runs show 12', '<%= config.bin %> runs show 12 --json']
  static override args = {id: Args.string({required: true, description: 'the run id (see runs list)'})}
  static override flags = {store: storeFlag}

  async run(): Promise<{run: RunRecord; hosts: RunHost[]; scores?: Scores}> {
    const {args, flags} = await this.parse(RunsShow)
    const id = this.runId(args.id)
    const shown = this.withStore(
      flags.store,
      (store) => {
        const run = store.run(id)
        if (!run) throw new StoreError(`no run ${id} in ${store.file}`, "'hatang runs list --all' shows the stored runs")
        const scores = store.scores(id)
        return {run, hosts: store.hosts(id), ...(scores ? {scores} : {})}
      },
      {create: false},
    )
    if (!this.jsonEnabled()) this.log(renderRun(shown.run, shown.hosts))
    return shown
  }
}
