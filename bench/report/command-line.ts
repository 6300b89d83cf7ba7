/**
 * How the benchmark was started, for the report header: the npm script when run through npm,
 * else the node command. Arguments only; no absolute paths of this machine are added.
 */
export function commandLine(script: string, entry: string, args: readonly string[]): string {
  const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
  if (process.env['npm_lifecycle_event'] === script) return ['npm run', script, ...(quoted.length ? ['--', ...quoted] : [])].join(' ')
  return ['node --import tsx', entry, ...quoted].join(' ')
}
