import {ParseError} from './kit/parse-error.js'
import {tabRows} from './kit/probe-helpers.js'
import type {PackageItem} from '../src/model/sections/packages.js'

/** The rpm query: one package a line, tab-separated. `(none)` is what rpm prints for a missing tag. */
export const RPM_FORMAT = '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n'

const NONE = '(none)'

/** `bash-5.1.8-6.el9.src.rpm` → `bash`: the source package's name, without version-release. */
export function sourceName(sourceRpm: string): string | undefined {
  const m = /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(sourceRpm)
  return m ? m[1] : undefined
}

/** Parses `rpm -qa --qf RPM_FORMAT`. The version is written as rpm does: `epoch:version-release`, the epoch only when it is not 0. */
export function parseRpmQuery(text: string): PackageItem[] {
  return tabRows(text, 6, (f, n): PackageItem => {
    const [name, epochText, version, release, arch, sourceRpm] = f as [string, string, string, string, string, string]
    if (name === '' || /\s/.test(name)) throw new ParseError(`not a package name: ${JSON.stringify(name.slice(0, 80))}`, n)
    if (!/^\d{1,9}$/.test(epochText)) throw new ParseError(`not an epoch: ${JSON.stringify(epochText.slice(0, 20))}`, n)
    if (f.slice(2).some((v) => v === '' || /\s/.test(v))) throw new ParseError('empty field or whitespace inside a field', n)
    const epoch = Number(epochText)
    const source = sourceRpm === NONE ? undefined : sourceName(sourceRpm)
    return {
      name,
      version: `${epoch > 0 ? `${epoch}:` : ''}${version}${release === NONE ? '' : `-${release}`}`,
      ...(arch === NONE ? {} : {architecture: arch}),
      manager: 'rpm',
      status: 'installed',
      ...(source ? {source} : {}),
    }
  })
}
