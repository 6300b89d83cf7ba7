// The trial program of the executor conformance suite (executor-conformance.ts); the fake
// executor's harness plays the same flags as a script (fake-executor.test.ts).
//   --lines=N         prints `line 1` .. `line N`
//   --interval-ms=T   waits T ms before each of those lines (default: none)
//   --env=A,B         prints `A=<value of A>` for each name, first
//   --hang            prints `running`, then runs until it is stopped
//   --exit=C          exits with code C once it printed its lines
//   --lr=X            the trial's parameter, printed as `lr=X` first when given
const flags = Object.fromEntries(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => {
  const at = a.indexOf('=')
  return at < 0 ? [a.slice(2), ''] : [a.slice(2, at), a.slice(at + 1)]
}))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

if (flags.lr !== undefined) console.log(`lr=${flags.lr}`)
for (const name of (flags.env ?? '').split(',').filter(Boolean)) console.log(`${name}=${process.env[name] ?? '<unset>'}`)
const interval = Number(flags['interval-ms'] ?? 0)
for (let i = 1; i <= Number(flags.lines ?? 0); i++) {
  if (interval > 0) await sleep(interval)
  console.log(`line ${i}`)
}
if ('hang' in flags) {
  console.log('running')
  setInterval(() => {}, 1 << 30)
} else {
  process.exitCode = Number(flags.exit ?? 0)
}
