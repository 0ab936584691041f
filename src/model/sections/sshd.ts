import {Type, type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** Settings as sshd spells them lower-cased, each with every value it was given, in order. */
const Settings = Type.Record(Str({pattern: '^[a-z0-9]+$'}), Arr(Str()))

export const SshdSchema = Obj({
  installed: Bool(),
  /** OpenSSH version as the server (or, failing that, the client of the same build) reports it, e.g. 9.2p1. */
  version: Opt(Str()),
  /** The full version banner, e.g. "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026". */
  versionText: Opt(Str()),
  /** Where `settings` come from: `sshd -T` (effective, defaults included) or the configuration files. */
  source: Opt(StringEnum(['sshd -T', 'config'] as const)),
  settings: Opt(Settings),
  /** With source "config": summary fields below that come from OpenSSH's defaults, not from a file. */
  defaulted: Opt(Arr(Str())),
  /** Configuration files read, main one first, in the order sshd reads them. */
  configFiles: Opt(Arr(Str())),
  /** Match blocks of the configuration files, not applied to `settings`. */
  matchBlocks: Opt(Arr(Obj({criteria: Str(), file: Str(), settings: Settings}))),
  permitRootLogin: Opt(Str()),
  passwordAuthentication: Opt(Bool()),
  permitEmptyPasswords: Opt(Bool()),
  pubkeyAuthentication: Opt(Bool()),
  kbdInteractiveAuthentication: Opt(Bool()),
  maxAuthTries: Opt(NonNegInt()),
  clientAliveInterval: Opt(NonNegInt()),
  clientAliveCountMax: Opt(NonNegInt()),
  x11Forwarding: Opt(Bool()),
  logLevel: Opt(Str()),
  ports: Opt(Arr(NonNegInt({maximum: 65535}))),
  listenAddresses: Opt(Arr(Str())),
  ciphers: Opt(Arr(Str())),
  macs: Opt(Arr(Str())),
  kexAlgorithms: Opt(Arr(Str())),
  allowUsers: Opt(Arr(Str())),
  allowGroups: Opt(Arr(Str())),
  denyUsers: Opt(Arr(Str())),
  denyGroups: Opt(Arr(Str())),
  /** Public host keys' fingerprints (never the private keys): identical ones across hosts betray cloned machines. */
  hostKeys: Opt(Arr(Obj({path: Str(), type: Str(), bits: NonNegInt(), fingerprint: Str()}))),
})
export type SshdData = Static<typeof SshdSchema>
export type SshdSettings = Record<string, string[]>

export const sshdSection = defineSection({
  id: 'sshd',
  title: 'SSH server',
  version: 1,
  schema: SshdSchema,
  upgrades: [],
})
