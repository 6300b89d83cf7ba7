import { TunewellError } from '../core/errors.ts'

const HOW_TO_FIX =
  'Start PostgreSQL (e.g. `pg_ctlcluster <version> main start` or `systemctl start postgresql`), ' +
  'fix DATABASE_URL, or unset DATABASE_URL to use the embedded database.'

/**
 * Turns a failure to reach PostgreSQL into a TunewellError that names the server (host:port,
 * never the password) and says what to do; the pg error stays attached as `cause`.
 */
export function databaseUnavailable(url: string, error: unknown, timeoutMs: number): TunewellError {
  const { where, database, password } = describeUrl(url)
  const code = errorCode(error)
  let detail: string
  let fix = HOW_TO_FIX
  if (code === 'ECONNREFUSED') detail = 'connection refused'
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') detail = 'host not found'
  else if (code === '3D000') {
    detail = `database "${database}" does not exist`
    fix = `Create it (\`createdb ${database}\`) or point DATABASE_URL at an existing database.`
  } else if (code === '28P01' || code === '28000') {
    detail = `authentication failed: ${messageOf(error)}`
    fix = 'Check the user name and password in DATABASE_URL.'
  } else if (/timeout|timed out/i.test(messageOf(error))) detail = `no answer within ${timeoutMs / 1000} s`
  else detail = messageOf(error)
  if (password) detail = detail.replaceAll(password, '***')
  return new TunewellError('DATABASE_UNAVAILABLE', `cannot use PostgreSQL at ${where} (${detail}). ${fix}`, {
    cause: error,
  })
}

function describeUrl(url: string): { where: string; database: string; password: string } {
  try {
    const u = new URL(url)
    // A unix-socket URL (postgres:///db?host=/run/postgresql) keeps the host in the query.
    const host = u.hostname || u.searchParams.get('host') || 'localhost'
    return {
      where: `${host}:${u.port || '5432'}`,
      database: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
      password: decodeURIComponent(u.password),
    }
  } catch {
    return { where: 'the server in DATABASE_URL', database: '(see DATABASE_URL)', password: '' }
  }
}

// Node reports a refused dual-stack connect (localhost → ::1 and 127.0.0.1) as an AggregateError.
function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; errors?: { code?: string }[] } | undefined
  return e?.code ?? e?.errors?.[0]?.code
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message || 'unknown error'
}
