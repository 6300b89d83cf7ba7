/**
 * The shell every local trial starts under. It forks a watcher, then execs the trial's command in
 * its own place, so the command keeps the pid Node spawned (exit codes and signals are reported
 * as before) and leads the trial's process group. The watcher detaches from the command (double
 * fork: a program that waits for all its children never waits for it), stays in the group, and
 * blocks reading fd 3, the supervisor's end of a socket pair. When the supervisor dies, even by
 * kill -9, that read ends: the watcher sends SIGTERM to the group, waits the grace period and
 * sends SIGKILL (itself included). It ignores SIGTERM so it outlives the group's stop.
 *
 * The command and its arguments are positional parameters ("$@"), never parsed by the shell.
 * The watcher is a forked dash/sh: well under 1 MB resident, where a Node watchdog costs ~40 MB.
 */
const SCRIPT = `grace=$1; shift
( ( trap '' TERM HUP INT
    while read -r _; do :; done <&3
    kill -s TERM 0; sleep "$grace"; kill -s KILL 0 ) </dev/null >/dev/null 2>&1 & )
exec "$@" 3<&-`

/** The shell that starts each trial; POSIX systems have one here. */
export const WATCHDOG_SHELL = '/bin/sh'

/** $0 of the watchdog shell: what its own messages and `ps` show. */
const NAME = 'tunewell-trial'

/** Arguments for WATCHDOG_SHELL that run `command` under the watcher; spawn it with fd 3 a pipe. */
export function watchdogArgs(command: readonly string[], killGraceMs: number): string[] {
  const graceSeconds = Math.max(1, Math.ceil(killGraceMs / 1000))
  return ['-c', SCRIPT, NAME, String(graceSeconds), ...command]
}
