import {SH_HANDLERS} from './handlers.js'

/**
 * What every fix script starts with: strict mode and the helpers the packs' sh fixes call.
 * - `hatang_set_line FILE ERE LINE [HANDLER]`: the last line of FILE that matches the extended regular expression
 *   ERE becomes LINE, or LINE is appended (as ansible.builtin.lineinfile does). FILE is created (mode 0644, its
 *   folder 0755: an unprivileged audit reads them too) when missing; an existing file keeps its mode and owner (written in place after the new content
 *   was made aside). Prints "changed: FILE" and notifies HANDLER only when the content changed.
 * - `hatang_notify HANDLER`: the handler runs once, at the end of the script.
 * Values reach awk through the environment, never through its program text, so a line with any character is data.
 */
export const SH_PRELUDE = `set -eu
umask 022
hatang_pending=''
hatang_notify() {
  case " $hatang_pending " in *" $1 "*) ;; *) hatang_pending="$hatang_pending $1" ;; esac
}
hatang_set_line() {
  hatang_file=$1
  if [ ! -e "$hatang_file" ]; then
    mkdir -p "$(dirname "$hatang_file")"
    : > "$hatang_file"
  fi
  hatang_tmp=$(mktemp "$hatang_file.hatang.XXXXXX")
  HATANG_RE=$2 HATANG_LINE=$3 awk '
    NR == FNR { if ($0 ~ ENVIRON["HATANG_RE"]) last = FNR; next }
    FNR == last { print ENVIRON["HATANG_LINE"]; next }
    { print }
    END { if (!last) print ENVIRON["HATANG_LINE"] }
  ' "$hatang_file" "$hatang_file" > "$hatang_tmp"
  if cmp -s "$hatang_tmp" "$hatang_file"; then
    rm -f "$hatang_tmp"
  else
    cat "$hatang_tmp" > "$hatang_file"
    rm -f "$hatang_tmp"
    echo "changed: $hatang_file"
    if [ -n "\${4-}" ]; then hatang_notify "$4"; fi
  fi
}
`

/** What every fix script ends with: the handlers notified, in a fixed order (sshd validated before it reloads). */
export function shEpilogue(): string {
  const lines = Object.entries(SH_HANDLERS).map(
    ([name, body]) => `case " $hatang_pending " in *" ${name} "*)\n  echo "handler: ${name}"\n${body.replace(/^/gm, '  ')}\n  ;;\nesac`,
  )
  return lines.join('\n') + '\n'
}
