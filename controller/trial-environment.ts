/**
 * Names of the server's environment that a trial never sees. Trials get the user's environment
 * (PATH, HOME, a conda or virtualenv, CUDA_*, proxies: what a program started by hand would
 * get) less the server's own credentials and settings: its API tokens and every other
 * TUNEWELL_* setting, the database URL, and libpq's connection variables. A trial learns what
 * is meant for it (TUNEWELL_TRIAL_NAME, TUNEWELL_REPORT_TOKEN, ...) from the values set for
 * it after this filter.
 */
const SERVER_ONLY = new Set([
  'DATABASE_URL',
  // libpq (https://www.postgresql.org/docs/current/libpq-envars.html): where and as whom to connect.
  'PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGPASSFILE', 'PGSERVICE',
  'PGSERVICEFILE', 'PGOPTIONS', 'PGAPPNAME', 'PGSSLMODE', 'PGREQUIRESSL', 'PGSSLCOMPRESSION', 'PGSSLCERT',
  'PGSSLKEY', 'PGSSLCERTMODE', 'PGSSLROOTCERT', 'PGSSLCRL', 'PGSSLCRLDIR', 'PGSSLSNI', 'PGSSLPASSWORD',
  'PGREQUIREPEER', 'PGSSLMINPROTOCOLVERSION', 'PGSSLMAXPROTOCOLVERSION', 'PGGSSENCMODE', 'PGKRBSRVNAME',
  'PGGSSLIB', 'PGGSSDELEGATION', 'PGCONNECT_TIMEOUT', 'PGCLIENTENCODING', 'PGTARGETSESSIONATTRS',
  'PGLOADBALANCEHOSTS', 'PGCHANNELBINDING', 'PGREQUIREAUTH', 'PGSYSCONFDIR',
])

export function isServerOnlyVariable(name: string): boolean {
  return name.startsWith('TUNEWELL_') || SERVER_ONLY.has(name)
}

/** The part of `env` (default: this process's) that trials inherit. */
export function inheritedTrialEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const inherited: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !isServerOnlyVariable(name)) inherited[name] = value
  }
  return inherited
}
