import type {Static} from '@sinclair/typebox'
import {Type} from './type-builder.js'

import {HOST_STATUSES} from './host-status.js'
import {SEVERITIES} from './severity.js'
import {Arr, Bool, Int, NonNegInt, Num, Obj, Opt, Str, StringEnum} from './schema-helpers.js'
import {SECTION_STATUSES} from './section.js'
import {UnitSchema} from './unit.js'
import {WhySchema} from './why.js'

/** Bumped on any change to the results' shape: major when a reader of the old one would break. */
export const RESULTS_SCHEMA_VERSION = '1.7.0'
/**
 * Versions this hatang reads: 1.1.0 added the optional `history`; 1.2.0 the coverage of every score, each host's
 * `insufficient` reason and the evidence rule in `dataQuality` (older files are upgraded when read); 1.3.0 each
 * host's optional `unit` (a 1.2.0 file reads as it is: its hosts have none); 1.4.0 each pack's optional `eolData` (the
 * end-of-life data sets it read and the day each was reviewed) and each result's optional `why`; 1.5.0 each host's
 * optional `review` (scheduled jobs, backup, unused accounts, certificates, sudo rules, storage, containers); 1.6.0
 * each check's optional `fix` (automatic or manual), each host's optional `fixable` and `dataQuality.fixable` (failed
 * findings fixable automatically vs manually, per host, per unit and for the run); 1.7.0 the section status `skipped`
 * (--sections, --skip), its optional count in `dataQuality.sections` and the run's optional `selection`.
 */
export const RESULTS_SCHEMA_VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0'] as const
export const RESULTS_SCHEMA_ID = 'urn:hatang:schema:results:1'

const SEVERITY = StringEnum(SEVERITIES)
const STATUS = StringEnum(['pass', 'fail', 'unknown', 'not-applicable', 'waived'] as const)
const Bilingual = Obj({vi: Str(), en: Str()})

const ScoreSchema = Obj({
  score: Type.Union([Num(), Type.Null()]),
  /** Checks judged ÷ checks applicable, in % (one decimal, rounded down); null when no check applied. */
  coverage: Type.Union([Num(), Type.Null()]),
  passedWeight: Num(),
  failedWeight: Num(),
  counts: Obj({pass: NonNegInt(), fail: NonNegInt(), unknown: NonNegInt(), waived: NonNegInt(), notApplicable: NonNegInt()}),
})

export const RunInfoSchema = Obj({
  startedAt: Str({format: 'date-time'}),
  finishedAt: Str({format: 'date-time'}),
  toolVersion: Str(),
  /** Who ran it: user@host. */
  operator: Str(),
  hostsFile: Opt(Str()),
  /** What was read: snapshot files, a sweep folder, or a results file. */
  source: Str(),
  /**
   * The sections its snapshots were asked for when some were left out (since 1.7.0): each distinct flag as given
   * (`--skip updates,packages`) and every section skipped on some host; absent when every section was asked for.
   */
  selection: Opt(Obj({asked: Arr(Str()), skipped: Arr(Str())})),
})

const PackInfoSchema = Obj({
  pack: Str(),
  version: Str(),
  title: Bilingual,
  checks: NonNegInt(),
  /** The end-of-life data sets its checks read (checks/data/NAME.yaml), with the day each was last reviewed (since 1.4.0). */
  eolData: Opt(Arr(Obj({name: Str(), reviewed: Str({format: 'date'})}))),
})

/** How a failed check is fixed: by `hatang fix` (auto) or by a person (manual). */
export const FIX_KINDS = ['auto', 'manual'] as const
export type FixKind = (typeof FIX_KINDS)[number]

/**
 * A check's fix (since 1.6.0): auto, with the file `hatang fix -o DIR` writes its tasks to (relative to DIR); or manual,
 * with the pack's reason why when it gives one (none: no automatic fix is written for the check).
 */
export const CheckFixSchema = Obj({
  kind: StringEnum(FIX_KINDS),
  reason: Opt(Bilingual),
  file: Opt(Str()),
})
export type CheckFix = Static<typeof CheckFixSchema>

/** Failed findings (status fail: waived ones are not) whose check has an automatic fix, and the others. */
const FixableSchema = Obj({auto: NonNegInt(), manual: NonNegInt()})
export type Fixable = Static<typeof FixableSchema>

/** One check of a loaded pack, with its texts in both languages: results name it by pack and id. */
const CheckInfoSchema = Obj({
  pack: Str(),
  id: Str(),
  severity: SEVERITY,
  title: Bilingual,
  rationale: Bilingual,
  remediation: Bilingual,
  references: Opt(Arr(Str())),
  /** Since 1.6.0 (absent in older files: not known). */
  fix: Opt(CheckFixSchema),
})

const AppliedWaiverSchema = Obj({status: StringEnum(['fail', 'unknown'] as const), reason: Str(), approver: Str(), expires: Str(), source: Str()})

const ResultSchema = Obj({
  pack: Str(),
  check: Str(),
  severity: SEVERITY,
  status: STATUS,
  reason: Opt(Str()),
  /** The reason as a template id and parameters (since 1.4.0): reports render it in the reader's language. */
  why: Opt(WhySchema),
  note: Opt(Str()),
  waiver: Opt(AppliedWaiverSchema),
})

const SectionStateSchema = Obj({status: StringEnum(SECTION_STATUSES), reason: Opt(Str())})

/** One host: a compact summary of its inventory, its results and how well it was collected. */
/**
 * What a review looks at first on a host (since 1.5.0). Each part is absent when its section was not read: unknown,
 * never "none". Strings are the host's, as read.
 */
export const HostReviewSchema = Obj({
  /** Scheduled jobs: crontab lines, run-parts scripts, systemd timers (section scheduled). */
  jobs: Opt(
    Arr(
      Obj({
        kind: Str(),
        user: Str(),
        schedule: Str(),
        command: Str(),
        /** FILE:LINE, the script, or the timer unit. */
        source: Str(),
        next: Opt(Str()),
        last: Opt(Str()),
        /** The program it runs, or its folder, is writable by anyone. */
        worldWritable: Opt(Bool()),
      }),
    ),
  ),
  /** Backup tools and agents recognised, and where (absent: not known; empty: none recognised). */
  backup: Opt(Arr(Obj({tool: Str(), via: Str(), where: Str()}))),
  /** Interactive accounts idle more than idleDays and not disabled; undetermined: accounts that cannot be told. */
  unusedAccounts: Opt(Obj({idleDays: NonNegInt(), accounts: Arr(Obj({name: Str(), days: NonNegInt(), lastLogin: Opt(Str())})), undetermined: Arr(Str())})),
  /**
   * The host's own certificates, soonest expiry first; daysLeft from the collection (negative: expired); expiringDays:
   * the window the run's `cert.expiring` check warns within.
   */
  certificates: Opt(
    Obj({
      expiringDays: NonNegInt(),
      files: Arr(Obj({path: Str(), subject: Opt(Str()), notAfter: Opt(Str()), daysLeft: Opt(Int()), selfSigned: Opt(Bool()), key: Opt(Str()), signature: Opt(Str())})),
    }),
  ),
  /** sudo rules (absent: sudoers unread, needs root). */
  sudo: Opt(
    Arr(
      Obj({
        who: Arr(Str()),
        hosts: Arr(Str()),
        commands: Arr(Obj({command: Str(), runAs: Opt(Str()), noPassword: Opt(Bool())})),
        forPeople: Bool(),
        source: Str(),
      }),
    ),
  ),
  /** Degraded md arrays, disks whose SMART data says they are failing, LVM volume groups. */
  storage: Opt(
    Obj({
      degraded: Arr(Str()),
      failingDisks: Opt(Arr(Str())),
      volumeGroups: Opt(Arr(Obj({name: Str(), sizeBytes: NonNegInt(), freeBytes: NonNegInt()}))),
    }),
  ),
  containers: Opt(Arr(Obj({name: Str(), image: Str(), state: Opt(Str()), privileged: Bool(), hostNetwork: Bool(), engineSocket: Bool()}))),
  /** Package sources: each enabled repository (FILE:LINE or id, its URIs and suites, signature checked), held packages. */
  sources: Opt(
    Obj({
      repositories: Arr(Obj({id: Str(), uris: Arr(Str()), suites: Arr(Str()), signatureChecked: Bool()})),
      held: Opt(Arr(Str())),
    }),
  ),
  /** Firmware, Secure Boot (absent: not told), TPM versions, GRUB password (absent: unknown or no GRUB). */
  boot: Opt(Obj({firmware: Str(), secureBoot: Opt(Bool()), tpm: Arr(Str()), grub: Bool(), loaderPassword: Opt(Bool())})),
  /** The effective password policy: minimum length and classes, passwords remembered, lockout after failures (absent: none set). */
  passwordPolicy: Opt(Obj({minLength: Opt(Int()), minClass: Opt(Int()), remember: Opt(Int()), deny: Opt(Int()), unlockTime: Opt(Int())})),
})
export type HostReview = Static<typeof HostReviewSchema>

export const HostReportSchema = Obj({
  name: Str(),
  address: Opt(Str()),
  groups: Arr(Str()),
  role: Opt(Str()),
  tags: Arr(Str()),
  /** The unit the host belongs to, as its snapshot records it (since 1.3.0; absent when the inventory gives none). */
  unit: Opt(UnitSchema),
  /** How the collection went (snapshot host.status) and why when not ok. */
  status: StringEnum(HOST_STATUSES),
  reason: Opt(Str()),
  collectedAt: Str({format: 'date-time'}),
  /** Collected longer ago than the run's staleness limit, or not collected at all. */
  stale: Bool(),
  /**
   * Why this host's verdict rests on too little evidence — not collected, coverage below dataQuality.minCoverage,
   * stale, or no check applies: "insufficient data", never compliant. Absent when the evidence suffices.
   */
  insufficient: Opt(Str()),
  /** The same, as a template and parameters for the reader's language (since 1.4.0). */
  insufficientWhy: Opt(WhySchema),
  transport: Str(),
  identity: Obj({
    hostname: Opt(Str()),
    fqdn: Opt(Str()),
    /** hatang's app-specific id of the machine (the snapshot's identity.machineAppId), never the confidential machine-id. */
    machineAppId: Opt(Str()),
    /** Deprecated: the raw machine-id, in results written before machineAppId; no longer written, read so older files stay valid. */
    machineId: Opt(Str()),
    systemUuid: Opt(Str()),
  }),
  hardware: Obj({
    vendor: Opt(Str()),
    model: Opt(Str()),
    serial: Opt(Str()),
    chassis: Opt(Str()),
    biosVendor: Opt(Str()),
    biosVersion: Opt(Str()),
    biosDate: Opt(Str()),
    /** guest on kvm, container docker, bare metal… */
    virtualization: Opt(Str()),
  }),
  os: Obj({
    name: Opt(Str()),
    distribution: Opt(Str()),
    versionId: Opt(Str()),
    family: Opt(Str()),
    architecture: Opt(Str()),
    kernel: Opt(Str()),
    bootTime: Opt(Str()),
    uptimeSeconds: Opt(NonNegInt()),
    timezone: Opt(Str()),
  }),
  cpu: Obj({model: Opt(Str()), vendor: Opt(Str()), sockets: Opt(NonNegInt()), cores: Opt(NonNegInt()), threads: Opt(NonNegInt())}),
  memory: Obj({totalBytes: Opt(NonNegInt()), availableBytes: Opt(NonNegInt()), swapTotalBytes: Opt(NonNegInt())}),
  disks: Arr(Obj({name: Str(), model: Opt(Str()), serial: Opt(Str()), kind: Opt(Str()), sizeBytes: Opt(NonNegInt())})),
  /** Filesystems on storage (pseudo filesystems left out). */
  filesystems: Arr(Obj({target: Str(), source: Str(), fstype: Str(), sizeBytes: Opt(NonNegInt()), usedBytes: Opt(NonNegInt())})),
  /** Global and site addresses of every interface, loopback left out. */
  ips: Arr(Str()),
  services: Arr(Obj({name: Str(), state: Str(), enabled: Opt(Bool())})),
  /** Installed packages; count null when the packages section is unavailable. */
  packages: Obj({count: Type.Union([NonNegInt(), Type.Null()]), managers: Arr(Str()), items: Arr(Obj({name: Str(), version: Opt(Str()), architecture: Opt(Str()), manager: Str()}))}),
  /** Every section's status and, when not ok, why. */
  sections: Type.Record(Str(), SectionStateSchema),
  review: Opt(HostReviewSchema),
  results: Arr(ResultSchema),
  counts: Obj({pass: NonNegInt(), fail: NonNegInt(), unknown: NonNegInt(), 'not-applicable': NonNegInt(), waived: NonNegInt()}),
  /** Its failed findings fixable automatically vs manually (since 1.6.0). */
  fixable: Opt(FixableSchema),
  score: ScoreSchema,
  /** Set when no check applied to the host. */
  error: Opt(Str()),
})

export const FleetFindingSchema = Obj({
  pack: Str(),
  check: Str(),
  severity: SEVERITY,
  scope: Obj({kind: StringEnum(['group', 'role', 'fleet'] as const), name: Str()}),
  subject: Str(),
  status: StringEnum(['pass', 'fail', 'unknown', 'waived'] as const),
  /** What the hosts were judged against: the group's declared reference, or the majority (absent on unique/within/reached checks). */
  rule: Opt(StringEnum(['reference', 'majority'] as const)),
  reference: Opt(Obj({kind: StringEnum(['host', 'standard'] as const), name: Str()})),
  /** The value judged right and the hosts that have it: the majority's, or the reference's under rule reference. */
  majority: Opt(Obj({value: Str(), hosts: Arr(Str())})),
  outliers: Arr(Obj({host: Str(), value: Str()})),
  unknown: Arr(Obj({host: Str(), reason: Str()})),
  reason: Opt(Str()),
  why: Opt(WhySchema),
})

const WaiverInfoSchema = Obj({
  check: Str(),
  hosts: Opt(Arr(Str())),
  groups: Opt(Arr(Str())),
  reason: Str(),
  approver: Str(),
  expires: Str(),
  source: Str(),
  expired: Bool(),
  /** Results it turned into waived. */
  applied: NonNegInt(),
})

const DataQualitySchema = Obj({
  hosts: NonNegInt(),
  /** The evidence rule: a host judged on less than this % of its applicable checks is insufficient data. */
  minCoverage: Num({minimum: 0, maximum: 100}),
  /** Hosts whose verdict rests on too little evidence (host.insufficient set). */
  insufficient: NonNegInt(),
  /** Hosts by collection status. */
  byStatus: Type.Record(Str(), NonNegInt()),
  staleAfterDays: NonNegInt(),
  /** Per section: how many hosts had it ok, partial, unavailable, error, timeout, and skipped (since 1.7.0, when some did). */
  sections: Type.Record(Str(), Obj({ok: NonNegInt(), partial: NonNegInt(), unavailable: NonNegInt(), error: NonNegInt(), timeout: NonNegInt(), skipped: Opt(NonNegInt())})),
  /** What a reader should know: hosts not collected, stale collections, sections missing and why. */
  issues: Arr(Obj({host: Str(), kind: StringEnum(['failed', 'stale', 'insufficient', 'section'] as const), section: Opt(Str()), status: Str(), reason: Opt(Str()), why: Opt(WhySchema)})),
  /**
   * The run's failed findings fixable automatically vs manually (since 1.6.0), and per unit: the hosts whose own unit it
   * is (hosts without a unit are in the run's counts only), by path.
   */
  fixable: Opt(
    Obj({
      ...FixableSchema.properties,
      units: Arr(Obj({path: Str(), vi: Str(), en: Str(), hosts: NonNegInt(), ...FixableSchema.properties})),
    }),
  ),
})

const RunRefSchema = Obj({run: NonNegInt(), startedAt: Str({format: 'date-time'})})
const FieldChangeSchema = Obj({section: Str(), field: Str(), from: Type.Union([Str(), Type.Null()]), to: Type.Union([Str(), Type.Null()])})
const PackageRefSchema = Obj({name: Str(), architecture: Opt(Str()), manager: Str(), version: Str()})
const PackageChangeSchema = Obj({name: Str(), architecture: Opt(Str()), manager: Str(), from: Str(), to: Str()})
const FindingRefSchema = Obj({host: Str(), pack: Str(), check: Str(), severity: SEVERITY, reason: Opt(Str()), why: Opt(WhySchema)})

/** The store's memory of earlier runs: how the score moved, what changed since the last run, when each host was last seen. */
export const HistorySchema = Obj({
  staleAfterDays: NonNegInt(),
  /** Complete runs up to this one, oldest first (at most the last 30). */
  trend: Arr(
    Obj({
      ...RunRefSchema.properties,
      score: Type.Union([Num(), Type.Null()]),
      /** The run's coverage beside its score (since 1.2.0; absent in older files). */
      coverage: Opt(Type.Union([Num(), Type.Null()])),
      hosts: NonNegInt(),
      collected: NonNegInt(),
      /** Failed check results (hosts' checks). */
      failing: NonNegInt(),
    }),
  ),
  /** What changed since the previous complete run; absent when this is the first. */
  changes: Opt(
    Obj({
      since: RunRefSchema,
      hosts: Obj({appeared: Arr(Str()), disappeared: Arr(Str()), compared: NonNegInt()}),
      /** Hosts of both runs with a change, or a section that could not be compared. */
      changed: Arr(
        Obj({
          host: Str(),
          hardware: Arr(FieldChangeSchema),
          os: Arr(FieldChangeSchema),
          packages: Obj({added: Arr(PackageRefSchema), removed: Arr(PackageRefSchema), upgraded: Arr(PackageChangeSchema), downgraded: Arr(PackageChangeSchema)}),
          notCompared: Arr(Str()),
        }),
      ),
      /** Findings new and fixed; null when a run was not judged (findingsNote says which). */
      findings: Type.Union([Obj({new: Arr(FindingRefSchema), fixed: Arr(FindingRefSchema)}), Type.Null()]),
      findingsNote: Opt(Str()),
    }),
  ),
  /** Every host the store knows as of this run: first and last collected, last status. */
  seen: Arr(
    Obj({
      host: Str(),
      firstSeen: Type.Union([Str({format: 'date-time'}), Type.Null()]),
      lastSeen: Type.Union([Str({format: 'date-time'}), Type.Null()]),
      lastStatus: Type.Union([Str(), Type.Null()]),
      /** Last collected longer than staleAfterDays before this run started (or never). */
      stale: Bool(),
    }),
  ),
})

export const ResultsSchema = Type.Object(
  {
    kind: Type.Literal('hatang-results'),
    schemaVersion: StringEnum(RESULTS_SCHEMA_VERSIONS),
    run: RunInfoSchema,
    packs: Arr(PackInfoSchema),
    checks: Arr(CheckInfoSchema),
    hosts: Arr(HostReportSchema),
    fleet: Arr(FleetFindingSchema),
    scores: Obj({
      overall: Obj({...ScoreSchema.properties, hosts: NonNegInt()}),
      groups: Arr(Obj({group: Str(), hosts: NonNegInt(), ...ScoreSchema.properties})),
    }),
    waivers: Arr(WaiverInfoSchema),
    dataQuality: DataQualitySchema,
    /** Since 1.1.0, when the run came from a store. */
    history: Opt(HistorySchema),
  },
  {
    $id: RESULTS_SCHEMA_ID,
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'hatang results',
    description: 'One run judged: every host summarised with its check results, fleet findings, scores, waivers and data quality. Every report renders from this.',
    additionalProperties: false,
  },
)

export type Results = Static<typeof ResultsSchema>
export type HostReport = Static<typeof HostReportSchema>
export type RunInfo = Static<typeof RunInfoSchema>
export type CheckInfo = Static<typeof CheckInfoSchema>
export type ResultsHistory = Static<typeof HistorySchema>
