import { formatNumber } from '../report/format-number.ts'
import { machineLine } from '../report/describe-machine.ts'
import { markdownTable } from '../report/markdown-table.ts'
import { describeSeeds } from '../quality/parse-seeds.ts'
import type { Summary } from '../report/summarize.ts'
import { nasTargets } from './nas-targets.ts'
import type { NasReport } from './run-nas.ts'

/** nas.md: regret per algorithm and budget, ask latency, the targets' verdicts. */
export function renderNasMarkdown(report: NasReport): string {
  const { meta } = report
  const names = Object.keys(report.algorithms)
  const randomMedian = (budget: number): number | null => report.algorithms['random']?.regret[String(budget)]?.median ?? null
  const regretRows = meta.budgets.flatMap((budget) => names.map((name) => {
    const s = report.algorithms[name]!.regret[String(budget)]!
    const baseline = randomMedian(budget)
    return [name, String(budget), `${regret(s.median)} [${regret(s.q25)}, ${regret(s.q75)}]`, regret(s.mean), name === 'random' || baseline === null || s.median === null ? '–' : `${(s.median / baseline).toFixed(2)}`, `${s.n}${s.n_missing > 0 ? ` (${s.n_missing} failed)` : ''}`]
  }))
  const latencyTrials = Object.keys(report.algorithms[names[0] ?? '']?.ask_ms ?? {})
  const latencyRows = names.map((name) => [name, ...latencyTrials.map((t) => ms(report.algorithms[name]!.ask_ms[t]!)), ms(report.algorithms[name]!.run_s)])
  const errors = names.flatMap((name) => report.algorithms[name]!.errors.map((e) => `- ${name}, ${e}`))
  return [
    `# NAS benchmark: random, evolution${names.includes('enas') ? ', enas' : ''} on a surrogate of enas-cpu`,
    '',
    `Generated ${meta.date} by \`${meta.command}\` in ${meta.runtime_s.toFixed(1)} s on ${machineLine(meta.machine)}.  `,
    `Space: Katib's enas-cpu operations (${meta.operations}) over ${meta.layers} layers. Seeds ${describeSeeds(meta.seeds)}, ${meta.parallel} trials in flight, results told in trial order, ${meta.refill === 'all' ? `asked ${meta.parallel} at a time once all in flight are told` : 'one asked as each is told'}; ${meta.workers === 0 ? 'runs one after another' : `${meta.workers} worker threads, one run each at a time`}. Per-seed values: \`nas.json\` next to this file.`,
    ...(meta.missing.length > 0 ? ['', `Not run (not registered in algorithms/nas/nas-registry.ts): ${meta.missing.join(', ')}.`] : []),
    '',
    ...names.map((name) => `- ${name}: ${report.algorithms[name]!.settings.length === 0 ? 'its defaults' : report.algorithms[name]!.settings.map((x) => `${x.name}=${x.value}`).join(', ')}`),
    '',
    `Regret = ${meta.best_accuracy} (the surrogate's best accuracy, found exactly) − the best accuracy among the first N trials; lower is better. ratio = median / random's median.`,
    '',
    markdownTable(['algorithm', 'trials', 'median regret [q25, q75]', 'mean', 'ratio to random', 'seeds'], regretRows),
    '',
    '## Ask latency',
    '',
    'Milliseconds per architecture of the ask that created trial N (askNasAlgorithm, as the service asks: settings, the trials read back, the algorithm, Katib\'s assignment strings; not the state\'s JSON), median [q25, q75] over the seeds; the last column is one seed\'s whole run in seconds. Worker threads share the machine\'s cores, so these are slower than one run alone.',
    '',
    markdownTable(['algorithm', ...latencyTrials.map((t) => `ask at trial ${t} (ms)`), 'run (s)'], latencyRows),
    '',
    '## Targets',
    '',
    ...nasTargets(report).map((t) => `- ${t.text}: **${t.pass ? 'PASS' : 'FAIL'}** (${t.detail})`),
    ...(errors.length > 0 ? ['', '## Failed runs', '', ...errors] : []),
    '',
  ].join('\n')
}

function regret(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4)
}

function ms(s: Summary): string {
  return s.median === null ? 'n/a' : `${formatNumber(s.median)} [${formatNumber(s.q25)}, ${formatNumber(s.q75)}]`
}
