/**
 * Whether a shell of /etc/passwd lets its account log in: listed in /etc/shells (when that file exists) and not
 * nologin, false, sync, halt or shutdown. An empty shell is /bin/sh.
 */
export function isLoginShell(shell: string, shells: ReadonlySet<string> | undefined): boolean {
  const s = shell === '' ? '/bin/sh' : shell
  const denied = /\/(nologin|false)$/.test(s) || s === '/bin/sync' || s === '/sbin/halt' || s === '/sbin/shutdown'
  return !denied && (shells === undefined || shells.has(s))
}
