import { readdirSync, readFileSync } from 'node:fs'

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 per second on every usual kernel). */
const TICKS_PER_SECOND = 100

/**
 * CPU time (user + system, ms) that process `pid` and its live descendants have used so far, plus
 * what its finished children used; read from /proc, so undefined elsewhere. Less sensitive than
 * wall time to what else runs on the machine, and it counts esbuild, which runs as a child process.
 */
export function processTreeCpuMs(pid: number): number | undefined {
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return undefined
  }
  const stats = new Map<number, { ppid: number; ticks: number; childTicks: number }>()
  for (const name of entries) {
    let text: string
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue // exited while we looked
    }
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
    stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), childTicks: Number(fields[13]) + Number(fields[14]) })
  }
  const root = stats.get(pid)
  if (!root) return undefined
  let ticks = root.childTicks
  const pending = [pid]
  while (pending.length > 0) {
    const current = pending.pop()!
    ticks += stats.get(current)!.ticks
    for (const [child, stat] of stats) if (stat.ppid === current) pending.push(child)
  }
  return (ticks * 1000) / TICKS_PER_SECOND
}
