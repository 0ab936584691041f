import {readFileSync} from 'node:fs'

import {ConfigError} from '../config/config-error.js'
import {errorAt} from '../config/error-at.js'
import {readYaml} from '../config/read-yaml.js'
import {schemaProblems} from '../config/schema-problems.js'
import {compile} from '../model/compile-schema.js'
import {StandardSchema, type GroupReference, type Standard} from '../model/group-reference.js'

export type StandardRecord = NonNullable<GroupReference['standard']>

/**
 * Reads a standard file (src/model/group-reference.ts): validated YAML, every problem at file:line:column; sshd
 * keywords lower-cased as `sshd -T` prints them. `written` is the path as the hosts file gives it (the record keeps it).
 * A file that cannot be read is `unreadable` (its error code): the hosts file says so where it names it.
 */
export function readStandardFile(file: string, written: string, hostsFile: string): {standard?: StandardRecord; errors: ConfigError[]; unreadable?: string} {
  const hint = `fix it (see "Fleet references" in the README), then run 'hatang hosts validate ${hostsFile}'`
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    return {errors: [], unreadable: (error as NodeJS.ErrnoException).code ?? (error as Error).message}
  }
  const yaml = readYaml(text, file)
  if (yaml.errors.length) return {errors: yaml.errors}
  if (yaml.data === null || yaml.data === undefined) return {errors: [new ConfigError(file, 1, 1, '', 'is empty: a standard states at least one expected value', hint)]}
  const problems = schemaProblems(compile(StandardSchema), yaml, file, {
    hint,
    everyKey: true,
    message: (e, segs) => (e.keyword === 'type' && segs.length === 2 && (segs[0] === 'packages' || segs[0] === 'sshd') ? "must be text: quote it ('1.10' written bare is the number 1.1)" : undefined),
  })
  if (problems.length) return {errors: problems}
  const data = yaml.data as Standard
  const at = errorAt(file, yaml.positions, hint)
  const errors: ConfigError[] = []
  const {name, packages, sshd, timeServers, kernel, os, timeDaemon} = data
  if (!packages && !sshd && !timeServers && !kernel && !os && !timeDaemon)
    errors.push(at([], 'states no expected value', 'give at least one of packages, sshd, timeServers, kernel, os, timeDaemon'))
  let lowered: Record<string, string> | undefined
  if (sshd) {
    lowered = {}
    const first = new Map<string, string>()
    for (const [k, v] of Object.entries(sshd)) {
      const key = k.toLowerCase()
      const seen = first.get(key)
      if (seen !== undefined) errors.push(at(['sshd', k], `states sshd keyword '${key}' a second time (as '${seen}')`, 'state each keyword once (sshd keywords ignore case)', true))
      first.set(key, k)
      lowered[key] = v.trim().split(/\s+/).join(' ')
    }
  }
  if (errors.length) return {errors}
  const standard: StandardRecord = {file: written}
  if (name !== undefined) standard.name = name
  if (packages) standard.packages = {...packages}
  if (lowered) standard.sshd = lowered
  if (timeServers) standard.timeServers = [...timeServers]
  if (kernel !== undefined) standard.kernel = kernel
  if (os !== undefined) standard.os = os
  if (timeDaemon !== undefined) standard.timeDaemon = timeDaemon
  return {standard, errors: []}
}
