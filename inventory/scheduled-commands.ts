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
const MAX_WORDS = 400

/**
 * One awk over the crontabs and the timer files: each crontab's lines numbered after `!file PATH`; each timer's lines
 * of UNIT_KEYS after `!unit PATH`; then (at the end) the service each timer activates — its Unit=, its own name, a
 * template's `x@.service` — read with getline from the first unit folder that has it, as a `!unit` block; last, the
 * words jobs may run (`!word W`: absolute paths and bare names of crontab lines and ExecStart lines, at most
 * MAX_WORDS). awk reads the service files itself: no process per file.
 */
const AWK = [
  `function words(line,   n, i, w, a) {`,
  `  n = split(line, a, /[ \\t]+/)`,
  `  for (i = 1; i <= n && i <= 40; i++) {`,
  `    w = a[i]; if (sub(/^ExecStart=/, "", w)) sub(/^[-@:+!]+/, "", w); gsub(/["\\047;&|()<>\`]/, "", w)`,
  `    if ((w ~ /^\\/[^*?$]*$/ || w ~ /^[A-Za-z_][A-Za-z0-9_.+-]*$/) && !(w in seen) && nw < ${MAX_WORDS}) { seen[w] = 1; wl[nw++] = w }`,
  `  }`,
  `}`,
  `FNR == 1 { unit = FILENAME ~ /[.]timer$/; print (unit ? "!unit " : "!file ") FILENAME; if (unit) timers[nt++] = FILENAME }`,
  `!unit { if (FNR <= ${MAX_LINES}) print FNR ":" substr($0, 1, ${MAX_LINE}); if ($0 !~ /^[ \\t]*#/) words($0); next }`,
  `FNR <= 2000 && /^[ \\t]*(${UNIT_KEYS})[ \\t]*=/ {`,
  `  print FNR ":" substr($0, 1, ${MAX_LINE})`,
  `  if ($0 ~ /^[ \\t]*Unit[ \\t]*=/) { u = $0; sub(/^[^=]*=[ \\t]*/, "", u); via[FILENAME] = u }`,
  `}`,
  `END {`,
  `  nd = split(DIRS, dirs, " ")`,
  `  for (i = 0; i < nt; i++) {`,
  `    s = timers[i]; sub(/.*\\//, "", s); sub(/[.]timer$/, ".service", s)`,
  `    if (timers[i] in via) s = via[timers[i]]`,
  `    sub(/@.+[.]service$/, "@.service", s)`,
  `    if (s in done) continue`,
  `    done[s] = 1`,
  `    for (d = 1; d <= nd; d++) {`,
  `      f = dirs[d] "/" s; n = 0`,
  `      while (n < 2000 && (getline line < f) > 0) {`,
  `        if (++n == 1) print "!unit " f`,
  `        if (line ~ /^[ \\t]*(${UNIT_KEYS})[ \\t]*=/) { print n ":" substr(line, 1, ${MAX_LINE}); if (line ~ /^[ \\t]*ExecStart/) words(line) }`,
  `      }`,
  `      close(f)`,
  `      if (n > 0) break`,
  `    }`,
  `  }`,
  `  for (i = 0; i < nw; i++) print "!word " wl[i]`,
  `}`,
].join('\n')
const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

/**
 * Every source of jobs in one command, with three processes (awk, stat, and systemctl where systemd runs): the cron
 * daemon (`!cron PATH`), crontabs and units (see AWK), `!denied PATH` for what cannot be read, timers enabled
 * (`!wants NAME`) or masked (`!masked NAME`), systemd's view of timers when it runs (`!systemd`, then `systemctl
 * show` blocks), run-parts scripts (`!run PATH`), at (`!at PATH`), backup agents (`!agent TOOL|WHERE`), the bare
 * words resolved with CRON_PATH by the shell's own tests (`!which WORD PATH`), and last every path jobs run, its
 * folder and the at queue's files, stat'ed following links (`!stat MODE OWNER TYPE PATH`).
 */
export const JOBS_COMMAND = [
  `for p in ${CRON_DAEMONS.join(' ')}; do if [ -x "$p" ]; then echo "!cron $p"; break; fi; done`,
  `for p in /usr/bin/at /bin/at; do if [ -x "$p" ]; then echo "!at $p"; break; fi; done`,
  ...BACKUP_TOOLS.flatMap(({tool, units = [], paths = []}) => [
    ...units.map((u) => `for f in ${UNIT_DIRS.map((d) => `${d}/${u}.service`).join(' ')} /etc/init.d/${u}; do if [ -f "$f" ]; then echo "!agent ${tool}|$f"; break; fi; done`),
    ...paths.map((p) => `[ -d ${p} ] && echo "!agent ${tool}|${p}"`),
  ]),
  `for f in ${UNIT_DIRS.map((d) => `${d}/*.wants/*.timer`).join(' ')}; do [ -e "$f" ] && echo "!wants \${f##*/}"; done`,
  'if [ -d /run/systemd/system ]; then',
  '  echo "!systemd"',
  '  { systemctl show --timestamp=unix -p Id,NextElapseUSecRealtime,LastTriggerUSec "*.timer" 2>/dev/null || systemctl show -p Id,NextElapseUSecRealtime,LastTriggerUSec "*.timer"; } | head -c 65536',
  '  echo',
  'fi',
  // crontabs, readable ones as arguments, bounded
  'n=0; set --',
  `for f in ${[...SYSTEM_CRONTABS, ...USER_CRONTABS].join(' ')}; do`,
  '  [ -f "$f" ] || continue',
  `  n=$((n + 1)); [ "$n" -le ${MAX_FILES} ] || break`,
  '  if [ -r "$f" ]; then set -- "$@" "$f"; else echo "!denied $f"; fi',
  'done',
  `for d in ${[...USER_CRONTAB_DIRS, ...AT_DIRS].join(' ')}; do if [ -d "$d" ] && ! { [ -r "$d" ] && [ -x "$d" ]; }; then echo "!denied $d"; fi; done`,
  // timers, one per name (the first folder's)
  'seen=" "',
  `for d in ${UNIT_DIRS.join(' ')}; do for f in "$d"/*.timer; do`,
  '  t=${f##*/}',
  '  case $seen in *" $t "*) continue;; esac',
  '  if [ -c "$f" ]; then seen="$seen$t "; echo "!masked $t"; elif [ -f "$f" ]; then seen="$seen$t "; set -- "$@" "$f"; fi',
  'done; done',
  'set -f',
  "IFS='\n'",
  `[ $# -eq 0 ] || out=$(awk -v DIRS=${quoted(UNIT_DIRS.join(' '))} ${quoted(AWK)} "$@")`,
  '[ -z "$out" ] || printf \'%s\\n\' "$out"',
  // what jobs run: paths, and bare names resolved with the cron PATH by test -x (no process)
  'set --',
  'for l in $out; do',
  '  case $l in',
  "    '!word /'*) p=${l#!word } ;;",
  "    '!word '*) w=${l#!word }; p=",
  `      for d in ${CRON_PATH.split(':').join(' ')}; do if [ -f "$d/$w" ] && [ -x "$d/$w" ]; then p=$d/$w; break; fi; done`,
  '      [ -n "$p" ] || continue',
  '      printf \'!which %s %s\\n\' "$w" "$p" ;;',
  '    *) continue ;;',
  '  esac',
  '  d=${p%/*}; set -- "$@" "$p" "${d:-/}"',
  'done',
  'set +f',
  `for f in ${RUN_PARTS_DIRS.map((d) => `${d}/*`).join(' ')}; do if [ -f "$f" ] && [ -x "$f" ]; then echo "!run $f"; set -- "$@" "$f" "\${f%/*}"; fi; done`,
  // at's queue: each job file (at most 1000), for its owner
  'n=0',
  `for d in ${AT_DIRS.join(' ')}; do if [ -d "$d" ] && [ -r "$d" ] && [ -x "$d" ]; then for f in "$d"/[!.]*; do [ -f "$f" ] && [ "$n" -lt 1000 ] && n=$((n + 1)) && set -- "$@" "$f"; done; fi; done`,
  // bounded by the arguments: MAX_WORDS words and their folders, the run-parts scripts, 1000 at jobs
  'stat -L -c \'!stat %a %U %F %n\' /bin/sh /bin "$@" 2>/dev/null',
  'exit 0',
].join('\n')
