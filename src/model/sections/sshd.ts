import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** Settings as sshd spells them lower-cased, each with every value it was given, in order. */
const Settings = Type.Record(Str({pattern: '^[a-z0-9]+$'}), Arr(Str()))

/** The running daemon whose settings were read, and the configuration arguments of its command line. */
const Daemon = Obj({
  pid: NonNegInt(),
  /** How it was found: the listener above this SSH session, systemd's ssh/sshd.service, or the one root sshd listener in /proc. */
  source: StringEnum(['ssh-session', 'systemd', 'proc'] as const),
  uid: Opt(NonNegInt()),
  executable: Opt(Str()),
  /** Its `-f FILE`, read instead of /etc/ssh/sshd_config. */
  configFile: Opt(Str()),
  /** Its `-o Keyword=value` (and `-p`, `-h`, `-4`, `-6` as the keywords they set), in command-line order: they win over the files. */
  overrides: Arr(Obj({keyword: Str(), value: Str()})),
  /** Set when its command line was not used (the settings are then the files' alone), saying why. */
  argumentsUnused: Opt(Str()),
})

export const SshdSchema = Obj({
  installed: Bool(),
  /**
   * False when no running sshd was found: the settings are then those of /etc/ssh/sshd_config, which no daemon may be
   * using. True without `daemon`: several sshd listeners run and nothing (SSH session, systemd) said which to read.
   */
  running: Opt(Bool()),
  daemon: Opt(Daemon),
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
