/**
 * The store's schema, as numbered migrations applied in order at open (see sqlite-migrate.ts). Plain SQL a
 * PostgreSQL server takes unchanged: integer, text, real and blob columns, times as ISO-8601 UTC text,
 * explicit primary and foreign keys, no AUTOINCREMENT, no rowid tricks (ids are assigned by the code).
 * Never edit a migration that has shipped: add the next one.
 */
export interface Migration {
  version: number
  name: string
  statements: readonly string[]
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, hosts, snapshots, results, fleet findings, scores',
    statements: [
      `CREATE TABLE runs (
        id INTEGER NOT NULL PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'interrupted')),
        source TEXT NOT NULL,
        hosts_file TEXT,
        tool_version TEXT NOT NULL,
        operator TEXT,
        writer_pid INTEGER,
        writer_machine TEXT,
        writer_start INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        note TEXT,
        hosts_total INTEGER NOT NULL DEFAULT 0,
        hosts_collected INTEGER NOT NULL DEFAULT 0,
        checks_pass INTEGER NOT NULL DEFAULT 0,
        checks_fail INTEGER NOT NULL DEFAULT 0,
        checks_unknown INTEGER NOT NULL DEFAULT 0,
        checks_waived INTEGER NOT NULL DEFAULT 0,
        checks_not_applicable INTEGER NOT NULL DEFAULT 0,
        score REAL
      )`,
      `CREATE TABLE hosts (
        id INTEGER NOT NULL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        first_seen TEXT,
        last_seen TEXT
      )`,
      `CREATE TABLE snapshots (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        host_id INTEGER NOT NULL REFERENCES hosts (id),
        status TEXT NOT NULL,
        reason TEXT,
        collected_at TEXT NOT NULL,
        check_error TEXT,
        encoding TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (run_id, host_id)
      )`,
      `CREATE TABLE results (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        host_id INTEGER NOT NULL REFERENCES hosts (id),
        pack TEXT NOT NULL,
        check_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        waiver TEXT,
        note TEXT,
        PRIMARY KEY (run_id, host_id, pack, check_id)
      )`,
      `CREATE TABLE fleet_findings (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        pack TEXT NOT NULL,
        check_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        finding TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
      `CREATE TABLE scores (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        scope_kind TEXT NOT NULL CHECK (scope_kind IN ('overall', 'group', 'host')),
        scope_name TEXT NOT NULL,
        score REAL,
        passed_weight INTEGER NOT NULL,
        failed_weight INTEGER NOT NULL,
        pass INTEGER NOT NULL,
        fail INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        waived INTEGER NOT NULL,
        not_applicable INTEGER NOT NULL,
        hosts INTEGER,
        PRIMARY KEY (run_id, scope_kind, scope_name)
      )`,
      `CREATE INDEX runs_state_started ON runs (state, started_at)`,
    ],
  },
  {
    version: 2,
    name: "hosts remember their last attempt and its status; indexes for 'alive' and diff",
    statements: [
      `ALTER TABLE hosts ADD COLUMN last_attempt TEXT`,
      `ALTER TABLE hosts ADD COLUMN last_status TEXT`,
      // backfill from the complete runs already stored
      `UPDATE hosts SET last_attempt = (
         SELECT MAX(s.collected_at) FROM snapshots s JOIN runs r ON r.id = s.run_id
         WHERE s.host_id = hosts.id AND r.state = 'complete')`,
      `UPDATE hosts SET last_status = (
         SELECT s.status FROM snapshots s JOIN runs r ON r.id = s.run_id
         WHERE s.host_id = hosts.id AND r.state = 'complete' AND s.collected_at = hosts.last_attempt
         ORDER BY r.id DESC LIMIT 1)`,
      `CREATE INDEX snapshots_host ON snapshots (host_id, collected_at)`,
      `CREATE INDEX results_host ON results (host_id)`,
    ],
  },
  {
    version: 3,
    name: 'runs keep the waivers they were judged with',
    statements: [
      // one row per waiver as it was parsed and applied (a host or group list as a JSON array, NULL when not given);
      // a run judged before this migration has none recorded: waivers_kept stays NULL
      `CREATE TABLE waivers (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        check_id TEXT NOT NULL,
        host_patterns TEXT,
        group_names TEXT,
        reason TEXT NOT NULL,
        approver TEXT NOT NULL,
        expires TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
      `ALTER TABLE runs ADD COLUMN waivers_kept INTEGER`,
    ],
  },
  {
    version: 4,
    name: "each snapshot row keeps its host's unit, for a roll-up by unit",
    statements: [
      // the unit's path as the snapshot records it (host.unit.path); its names stay in the snapshot. A snapshot stored
      // before units existed has none: NULL
      `ALTER TABLE snapshots ADD COLUMN unit_path TEXT`,
      `CREATE INDEX snapshots_unit ON snapshots (unit_path, run_id)`,
    ],
  },
  {
    version: 5,
    name: 'runs carry a UUID and their site; pushes remember what went to which centre',
    statements: [
      // every run gets a UUID (new ones crypto.randomUUID(), written by the code: run-statements.ts); runs stored before
      // this migration get a random one here, in the UUID's text form (postgres-dialect.ts spells randomblob for PostgreSQL)
      `ALTER TABLE runs ADD COLUMN uuid TEXT`,
      `UPDATE runs SET uuid = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-' || lower(hex(randomblob(2))) || '-' || lower(hex(randomblob(2))) || '-' || lower(hex(randomblob(6))) WHERE uuid IS NULL`,
      `CREATE UNIQUE INDEX runs_uuid ON runs (uuid)`,
      // the site a run was taken at (--site, HATANG_SITE, else the controller's hostname); older runs: the machine that wrote them
      `ALTER TABLE runs ADD COLUMN site TEXT`,
      `UPDATE runs SET site = writer_machine WHERE site IS NULL`,
      // a site's own record of its pushes: run, the centre as host:port/database (no user, no password), its run id there
      `CREATE TABLE pushes (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        target TEXT NOT NULL,
        centre_run INTEGER NOT NULL,
        pushed_at TEXT NOT NULL,
        PRIMARY KEY (run_id, target)
      )`,
    ],
  },
  {
    version: 6,
    name: 'each snapshot row keeps the few facts a roll-up reads (unit names, OS, kernel, clock, key packages)',
    statements: [
      // src/model/snapshot-facts.ts as JSON, written with the snapshot; NULL for rows stored before (a roll-up decodes those)
      `ALTER TABLE snapshots ADD COLUMN facts TEXT`,
    ],
  },
  {
    version: 7,
    name: "each result keeps its reason's template and parameters, for reports in the reader's language",
    statements: [
      // src/model/why.ts as JSON; NULL for results stored before (reports then show the English reason)
      `ALTER TABLE results ADD COLUMN why TEXT`,
    ],
  },
]

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version
