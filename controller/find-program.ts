import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'

/** What `sh`'s exec searches when the environment has no PATH. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin'

/**
 * Where execvp would find `program` (a name is looked up on PATH, a path containing `/` is taken
 * relative to `cwd`), or undefined. Trials start through a watchdog shell that execs the command,
 * so a missing program would only show as the shell's exit code 127; looking first keeps
 * CommandNotFound a reason of its own.
 */
export function findProgram(program: string, path: string | undefined, cwd: string): string | undefined {
  if (program === '') return undefined
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(cwd, program)
    return isExecutableFile(file) ? file : undefined
  }
  for (const dir of (path ?? DEFAULT_PATH).split(delimiter)) {
    // An empty PATH entry means the working directory, as for execvp.
    const file = join(dir === '' ? cwd : resolve(cwd, dir), program)
    if (isExecutableFile(file)) return file
  }
  return undefined
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
