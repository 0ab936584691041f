import {BASH_LAUNCHER, BATCH_LAUNCHER} from '../../src/collect/posix-sh/batch.js'
import {LocalTransport} from '../../src/transport/local-transport.js'
import type {CommandTransport} from '../../src/transport/transport.js'

/** This machine. */
export const local = new LocalTransport()

/** This machine, its commands run by `exec` instead of the local transport's own way. */
export const localVia = (exec: CommandTransport['exec']): CommandTransport => ({
  kind: local.kind,
  target: local.target,
  platform: local.platform,
  dialects: local.dialects,
  exec,
  close: () => local.close(),
})

/**
 * The ways a target runs a batch, each with the launcher that chooses it here: dash, which the launcher prefers (this
 * machine has it); bash 5, where there is no dash (RHEL); and any other sh, here dash started as `sh` (the launcher
 * names dash `dash`), where each command runs under GNU timeout and `sh -c`.
 */
export const launchers = {
  dash: BATCH_LAUNCHER,
  bash: BASH_LAUNCHER,
  sh: 'exec sh -s',
} as const

/** This machine, a batch sent to it run by `launcher` instead of the one the local transport sends. */
export const via = (launcher: string): CommandTransport => localVia((_command, options) => local.exec(launcher, options))
