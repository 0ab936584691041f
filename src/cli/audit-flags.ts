import {Flags} from '@oclif/core'

import {DEFAULT_FAIL_ON, FAIL_ON_CHOICES} from '../model/severity.js'
import {REPORT_FORMATS} from '../report/render-reports.js'
import {evidenceFlags} from './evidence-flags.js'
import {langFlag} from './lang.js'
import {levelFlag} from './level-flag.js'
import {sectionFlags} from './section-flags.js'
import {storeFlag} from './store-command.js'

/** `hatang audit`'s flags: where the report and the run go, what judges it, how hosts are collected, and cron's needs. */
export const auditFlags = {
  'output-dir': Flags.string({char: 'o', default: '.', summary: 'Folder for the report.', helpValue: 'DIR'}),
  format: Flags.string({char: 'f', default: 'html', summary: `Report formats, comma-separated: ${REPORT_FORMATS.join(', ')}.`, helpValue: 'LIST'}),
  template: Flags.string({summary: 'A folder of templates, styles or locales overriding the built-in ones.', helpValue: 'DIR'}),
  store: storeFlag,
  lang: langFlag('Language of the report and summary.'),
  pack: Flags.string({char: 'p', multiple: true, summary: 'A built-in pack name or a pack file (default: every built-in pack).', helpValue: 'NAME|FILE'}),
  waivers: Flags.string({summary: 'A waivers file (YAML).', helpValue: 'FILE'}),
  'fail-on': Flags.string({options: [...FAIL_ON_CHOICES], default: DEFAULT_FAIL_ON, summary: 'Exit 1 when a finding at or above this severity exists.'}),
  level: levelFlag,
  log: Flags.string({summary: 'Append plain, timestamped lines about the run to this file.', helpValue: 'FILE'}),
  quiet: Flags.boolean({char: 'q', summary: 'No progress output (the summary is still printed).'}),
  lock: Flags.string({summary: 'Lock file that keeps audits from overlapping (default: the store file + .lock).', helpValue: 'FILE'}),
  limit: Flags.string({char: 'l', summary: 'Only these hosts (as sweep --limit).', helpValue: 'PATTERN'}),
  concurrency: Flags.integer({char: 'c', default: 50, min: 1, max: 2000, summary: 'Most hosts collected at once (fewer while the controller or the targets are saturated).'}),
  timeout: Flags.integer({default: 10, min: 1, max: 3600, summary: 'Seconds each probe command may run.', helpValue: 'SECONDS'}),
  'connect-timeout': Flags.integer({default: 10, min: 1, max: 600, summary: 'Seconds to connect to a host.', helpValue: 'SECONDS'}),
  'accept-new': Flags.boolean({summary: 'Record host keys of hosts never seen before (changed keys are still refused).'}),
  'ssh-config': Flags.string({summary: "ssh_config to consult; 'none' for none.", default: '~/.ssh/config', helpValue: 'FILE'}),
  site: Flags.string({summary: "The site the run is taken at, as the centre shows it (default this machine's hostname).", env: 'HATANG_SITE', helpValue: 'NAME'}),
  push: Flags.string({summary: "Once the run is stored here, push it to the centre's store (as 'hatang push --to URL'); a failed push warns and exits 7.", helpValue: 'URL'}),
  native: Flags.boolean({allowNo: true, summary: 'Local machine: read the hardware with systeminformation (--no-native: never); by default only where no probe reads it (not on Linux).'}),
  ...sectionFlags,
  ...evidenceFlags,
}
