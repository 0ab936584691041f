import {BACKUP_TOOLS} from '../src/model/sections/scheduled.js'

/**
 * The shell commands of the scheduled-jobs probe. Read-only; files are found by globs over named folders only; every
 * listing is bounded (files, lines per file, characters per line, words resolved, paths examined).
 */

/** System crontabs (a user field on each line), then per-user crontabs: Debian's spool, then RHEL's. */
export const SYSTEM_CRONTABS = ['/etc/crontab', '/etc/cron.d/*']
export const USER_CRONTABS = ['/var/spool/cron/crontabs/*', '/var/spool/cron/*']
/** Folders whose per-user crontabs need root to list. */
export const USER_CRONTAB_DIRS = ['/var/spool/cron/crontabs', '/var/spool/cron']
export const RUN_PARTS_DIRS = ['/etc/cron.hourly', '/etc/cron.daily', '/etc/cron.weekly', '/etc/cron.monthly']
/** Where systemd reads unit files, in its order of precedence (a name in an earlier folder masks a later one). */
export const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system']
/** at's queue: Debian's, then RHEL's. */
export const AT_DIRS = ['/var/spool/cron/atjobs', '/var/spool/at']
const CRON_DAEMONS = ['/usr/sbin/cron', '/usr/sbin/crond', '/sbin/crond', '/usr/bin/crond', '/usr/sbin/fcron', '/usr/bin/fcron']
/** The PATH Debian's /etc/crontab sets: bare program names of jobs are resolved with it. */
export const CRON_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
/** The keys of timer and service files that the probe reads. */
const UNIT_KEYS = 'OnCalendar|OnBootSec|OnStartupSec|OnActiveSec|OnUnitActiveSec|OnUnitInactiveSec|Unit|ExecStart|User'

const MAX_FILES = 200
const MAX_LINES = 500
const MAX_LINE = 1024

/**
 * `crontabs PROG SHOW`: runs awk PROG over the readable crontab files (bounded); with SHOW, prints `!denied PATH` for
 * unreadable files and for the per-user folders that cannot be listed. A function: its "$@" is its own.
 */
const CRONTABS_FUNCTION = [
  'crontabs() {',
  '  prog=$1; show=$2; n=0; set --',
  `  for f in ${[...SYSTEM_CRONTABS, ...USER_CRONTABS].join(' ')}; do`,
  '    [ -f "$f" ] || continue',
  `    n=$((n + 1)); [ "$n" -le ${MAX_FILES} ] || break`,
  '    if [ -r "$f" ]; then set -- "$@" "$f"; elif [ -n "$show" ]; then echo "!denied $f"; fi',
  '  done',
  `  [ -z "$show" ] || for d in ${USER_CRONTAB_DIRS.join(' ')}; do if [ -d "$d" ] && ! { [ -r "$d" ] && [ -x "$d" ]; }; then echo "!denied $d"; fi; done`,
  '  [ $# -eq 0 ] || awk "$prog" "$@"',
  '}',
].join('\n')

/**
 * `units PROG SHOW`: runs awk PROG over the timer files (one per name, the first folder's) and the service files they
 * activate (the same name, a template's `x@.service`, or their Unit=); with SHOW, `!masked NAME` for a timer linked to
 * /dev/null.
 */
const UNITS_FUNCTION = [
  'units() {',
  '  prog=$1; show=$2; set --; seen=" "',
  `  for d in ${UNIT_DIRS.join(' ')}; do for f in "$d"/*.timer; do`,
  '    n=${f##*/}',
  '    case $seen in *" $n "*) continue;; esac',
  '    if [ -c "$f" ]; then seen="$seen$n "; [ -z "$show" ] || echo "!masked $n"; elif [ -f "$f" ]; then seen="$seen$n "; set -- "$@" "$f"; fi',
  '  done; done',
  '  [ $# -gt 0 ] || return 0',
  '  svcs=$(sed -n \'s/^[ \t]*Unit[ \t]*=[ \t]*//p\' "$@"; for f in "$@"; do n=${f##*/}; echo "${n%.timer}.service"; done)',
  '  for s in $svcs; do',
  '    case $s in *@?*.service) s="${s%%@*}@.service";; esac',
  `    for d in ${UNIT_DIRS.join(' ')}; do if [ -f "$d/$s" ]; then set -- "$@" "$d/$s"; break; fi; done`,
  '  done',
  '  awk "$prog" "$@"',
  '}',
].join('\n')

const RUN_PARTS_LOOP = `for f in ${RUN_PARTS_DIRS.map((d) => `${d}/*`).join(' ')}; do [ -f "$f" ] && [ -x "$f" ] && echo "$1$f"; done`

/** awk: the files' lines numbered after a `!file PATH` marker (bounded). */
const NUMBERED = `FNR == 1 {print "!file " FILENAME} FNR <= ${MAX_LINES} {print FNR ":" substr($0, 1, ${MAX_LINE})}`
/** awk: the lines of UNIT_KEYS, numbered, after a `!unit PATH` marker. */
const UNIT_LINES = `FNR == 1 {print "!unit " FILENAME} FNR <= 2000 && /^[ \\t]*(${UNIT_KEYS})[ \\t]*=/ {print FNR ":" substr($0, 1, ${MAX_LINE})}`
/** awk: the absolute paths and bare words of job lines (of services: their ExecStart lines), one a line. */
const WORDS = [
  '/^[ \\t]*#/ {next} FILENAME ~ /[.](service|timer)$/ && !/^[ \\t]*ExecStart[ \\t]*=/ {next}',
  '{for (i = 1; i <= NF && i <= 40; i++) {w = $i; sub(/^ExecStart=/, "", w); sub(/^[-@:+!]+/, "", w); gsub(/["\\047;&|()<>`]/, "", w)',
  '  if (w ~ /^\\/[^*?$]*$/ || w ~ /^[A-Za-z_][A-Za-z0-9_.+-]*$/) print w}}',
].join('\n')
const quoted = (awk: string) => `'${awk.replaceAll("'", "'\\''")}'`

/**
 * Every job source in one command: the cron daemon (`!cron PATH`), run-parts scripts (`!run PATH`), crontabs
 * (`!file` blocks), enabled timers (`!wants NAME`), systemd's view of timers when it runs (`!systemd` then
 * `systemctl show` blocks), timer and service lines (`!unit` blocks), then the programs jobs run, examined on the
 * host: bare words resolved with CRON_PATH (`!which WORD PATH`) and every path and its folder stat'ed, following
 * links (`!stat MODE OWNER TYPE PATH`). Bounded to 400 words and 800 paths.
 */
export const JOBS_COMMAND = [
  `PATH=${CRON_PATH}`,
  CRONTABS_FUNCTION,
  UNITS_FUNCTION,
  `for p in ${CRON_DAEMONS.join(' ')}; do if [ -x "$p" ]; then echo "!cron $p"; break; fi; done`,
  `runparts() { ${RUN_PARTS_LOOP}; }`,
  'runparts "!run "',
  `crontabs ${quoted(NUMBERED)} show`,
  `for f in ${UNIT_DIRS.map((d) => `${d}/*.wants/*.timer`).join(' ')}; do [ -e "$f" ] && echo "!wants \${f##*/}"; done`,
  'if [ -d /run/systemd/system ]; then',
  '  echo "!systemd"',
  '  { systemctl show --timestamp=unix -p Id,NextElapseUSecRealtime,LastTriggerUSec "*.timer" 2>/dev/null || systemctl show -p Id,NextElapseUSecRealtime,LastTriggerUSec "*.timer"; } | head -c 65536',
  'fi',
  `units ${quoted(UNIT_LINES)} show`,
  `words=$({ crontabs ${quoted(WORDS)}; units ${quoted(WORDS)}; runparts; echo /bin/sh; } | sort -u | head -n 400)`,
  'resolved=$(for w in $words; do case $w in /*) ;; *) if command -v "$w" >/dev/null 2>&1; then printf \'!which %s \' "$w"; command -v "$w"; fi;; esac; done)',
  '[ -z "$resolved" ] || printf \'%s\\n\' "$resolved"',
  'printf \'%s\\n\' $words $resolved | awk \'/^\\// {print; d = $0; sub(/\\/[^\\/]*$/, "", d); print (d == "" ? "/" : d)}\' | sort -u | head -n 800 | tr \'\\n\' \'\\0\' | xargs -0 -r stat -L -c \'!stat %a %U %F %n\' 2>/dev/null',
  'exit 0',
].join('\n')

/** The at queue: whether at is installed, each job's owner (`!atjob OWNER TYPE`), or `!denied DIR`. */
export const AT_COMMAND = [
  'for p in /usr/bin/at /bin/at; do if [ -x "$p" ]; then echo "!at $p"; break; fi; done',
  `for d in ${AT_DIRS.join(' ')}; do`,
  '  [ -d "$d" ] || continue',
  '  if [ -r "$d" ] && [ -x "$d" ]; then set -- "$d"/[!.]*; [ -e "$1" ] && stat -c \'!atjob %U %F\' "$@" | head -n 1000',
  '  else echo "!denied $d"; fi',
  'done',
  'exit 0',
].join('\n')

/** Backup agents installed: `!agent TOOL WHERE` for a unit file, an init script or an install folder of BACKUP_TOOLS. */
export const AGENTS_COMMAND = [
  ...BACKUP_TOOLS.flatMap(({tool, units = [], paths = []}) => [
    ...units.map(
      (u) =>
        `for f in ${UNIT_DIRS.map((d) => `${d}/${u}.service`).join(' ')} /etc/init.d/${u}; do if [ -f "$f" ]; then echo "!agent ${tool}|$f"; break; fi; done`,
    ),
    ...paths.map((p) => `[ -d ${p} ] && echo "!agent ${tool}|${p}"`),
  ]),
  'exit 0',
].join('\n')
