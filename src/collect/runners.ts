import type {Dialect} from '../transport/transport.js'
import {posixShRunner} from './posix-sh/runner.js'
import type {DialectRunner} from './runner.js'

/** One runner per dialect: one line each. */
export const runners: Readonly<Record<Dialect, DialectRunner>> = {
  'posix-sh': posixShRunner,
}
