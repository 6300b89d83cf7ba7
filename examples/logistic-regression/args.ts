/** `--name=value` flags, as Katib templates pass them. Unknown or malformed flags stop the program. */
export function parseFlags(argv: readonly string[], defaults: Record<string, number>): Record<string, number> {
  const out = { ...defaults }
  for (const arg of argv) {
    const match = /^--([\w-]+)=(.*)$/.exec(arg)
    if (!match || !(match[1]! in defaults)) {
      console.error(`unknown argument ${arg}; expected --${Object.keys(defaults).join('=N, --')}=N`)
      process.exit(2)
    }
    const value = Number(match[2])
    if (!Number.isFinite(value)) {
      console.error(`--${match[1]} must be a number, got "${match[2]}"`)
      process.exit(2)
    }
    out[match[1]!] = value
  }
  return out
}
