import {readFileSync} from 'node:fs'

import {packageDir} from './package-root.js'

/** The tool's version, read once from hatang's package.json (package-root.ts finds it from dist/ or src/, bundled or not). */
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(packageDir('package.json'), 'utf8')) as {version?: string}
    if (pkg.version) return pkg.version
  } catch {
    // no package root found: an unknown version, never a failed command
  }
  return '0.0.0'
}

export const TOOL_NAME = 'hatang'
export const TOOL_VERSION = readVersion()
