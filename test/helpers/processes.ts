import { readdirSync, readFileSync } from 'node:fs'

/** Live (not zombie) processes whose process group is `pgid`, read from /proc. */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const fields = statFields(Number(entry))
    // After the command name: state (field 3), ppid, pgrp (field 5).
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry))
  }
  return members
}

/** Whether `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const fields = statFields(pid)
  return fields !== undefined && fields[0] !== 'Z'
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** Polls `condition` every 100 ms; throws `what` once `limitMs` passed without it holding. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
