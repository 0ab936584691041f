import {Flags} from '@oclif/core'

import {defaultStorePath} from '../../src/store/store-path.js'
import {renderRunList} from '../../src/cli/views/render-runs.js'
import {StoreCommand, storeFlag} from '../../src/cli/store-command.js'
import type {RunRecord} from '../../src/store/store.js'

export default class RunsList extends StoreCommand {
  static override summary = 'List the stored runs, newest first.'
  static override description =
    'Complete runs only, unless --all: then also runs being written and interrupted ones (their writer died before finishing; kept for inspection, never counted).'
  static override examples = ['<%= config.bin %> runs list', '<%= config.bin %> runs list --all --json', '<%= config.bin %> runs list --store /srv/audit/hatang.db']
  static override flags = {
    all: Flags.boolean({summary: 'Also list runs being written and interrupted ones.'}),
    store: storeFlag,
  }

  async run(): Promise<{store: string; runs: RunRecord[]}> {
    const {flags} = await this.parse(RunsList)
    const file = flags.store || defaultStorePath()
    const runs = this.storeExists(file) ? await this.withStore(file, (s) => s.listRuns({all: flags.all})) : []
    if (!this.jsonEnabled()) this.log(renderRunList(runs, file))
    return {store: file, runs}
  }
}
