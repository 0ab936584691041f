import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {readSnapshots} from '../src/engine/load-snapshots.js'
import {StoreCommand, storeFlag} from '../src/cli/store-command.js'
import type {RunRecord} from '../src/store/store.js'

export default class Import extends StoreCommand {
  static override summary = 'Add snapshots collected offline (collect -o, or a sweep folder) to the store, as a new run or into one.'
  static override description =
    'Every file is validated first; a bad file exits 2 naming it and what is wrong, and nothing is stored. All the snapshots go in one ' +
    "transaction: all of them or none. A new run starts when the earliest snapshot was collected. Imported runs are not judged: their findings are what 'hatang audit' stores."
  static override examples = [
    '<%= config.bin %> import /media/usb/*.json',
    '<%= config.bin %> import hatang-sweep-20261124-0200/',
    '<%= config.bin %> import branch-office.json --run 12',
  ]
  static override strict = false
  static override args = {files: Args.string({required: true, description: 'snapshot files, or folders of them'})}
  static override flags = {
    run: Flags.string({summary: 'Add to this complete run instead of making a new one.', helpValue: 'ID'}),
    site: Flags.string({summary: "The site the run was taken at, as the centre shows it (default this machine's hostname).", env: 'HATANG_SITE', helpValue: 'NAME'}),
    store: storeFlag,
  }

  async run(): Promise<{run: RunRecord; imported: {host: string; file: string}[]}> {
    const {argv, flags} = await this.parse(Import)
    const runId = flags.run === undefined ? undefined : this.runId(flags.run)
    const loaded = readSnapshots(argv as string[], (m) => this.logToStderr(m))
    const seen = new Map<string, string>()
    for (const {file, snapshot} of loaded) {
      const other = seen.get(snapshot.host.name)
      if (other) this.usageError(`${file}: host '${snapshot.host.name}' is also in ${other}`, 'a run holds one snapshot per host: import them into different runs')
      seen.set(snapshot.host.name, file)
    }
    const snapshots = loaded.map((l) => l.snapshot)
    const startedAt = new Date(Math.min(...snapshots.map((s) => Date.parse(s.meta.collectedAt))))
    const run = await this.withStore(flags.store, (store) => (runId === undefined ? store.storeRun({source: 'import', startedAt, ...(flags.site ? {site: flags.site} : {})}, snapshots) : store.addToRun(runId, snapshots)))
    const imported = loaded.map((l) => ({host: l.snapshot.host.name, file: path.resolve(l.file)}))
    if (!this.jsonEnabled()) this.log(`imported ${imported.length} snapshot${imported.length === 1 ? '' : 's'} into ${runId === undefined ? 'new ' : ''}run ${run.id} (${run.hosts.total} hosts)`)
    return {run, imported}
  }
}
