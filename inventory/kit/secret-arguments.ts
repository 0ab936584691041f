/**
 * A command line with the values of secret-looking arguments replaced by `***`: `password=…`, `--passwd …`,
 * `token:…`, `-pSECRET` (mysql), `user:pass@` in URLs. What is kept says that a secret was there, never what it was.
 */
export function maskSecretArguments(command: string): string {
  return command
    .replace(/((?:^|[\s"'])-{0,2}[\w.-]*(?:password|passwd|passphrase|pass|pwd|secret|token|api[_-]?key|auth)[\w.-]*)([=:]|\s+)(?!\*\*\*)("[^"]*"|'[^']*'|[^\s"']+)/gi, '$1$2***')
    .replace(/((?:^|\s)-p)(?!\s)(\S+)/g, '$1***')
    .replace(/(\w+:\/\/[^\s:/@]+:)[^\s@/]+@/g, '$1***@')
}
