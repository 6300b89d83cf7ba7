import { Type, type Static } from 'typebox'
import { BrokenConstraintSchema, TrialStateSchema } from './trial.ts'

const column = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string) => Type.Array(item, { description })
const NullableNumber = Type.Union([Type.Number(), Type.Null()])

/**
 * Every trial of an experiment as columns (one array per field, all of `count` entries, in trial
 * number order): what the dashboard's charts and table need, in a tenth of the bytes and
 * parse time of `count` TrialView objects.
 */
export const TrialColumnsSchema = Type.Object({
  count: Type.Integer({ description: 'number of trials; every array has this length' }),
  namePrefix: Type.String({ description: 'common start of every name (`<experiment>-`); name[i] = namePrefix + suffix[i]' }),
  suffix: column(Type.String(), 'trial names after namePrefix'),
  number: column(Type.Integer(), 'ascending'),
  states: Type.Array(TrialStateSchema, { description: 'the states that `state` indexes into' }),
  state: column(Type.Integer({ minimum: 0 }), 'index into `states`'),
  objective: column(NullableNumber, 'the objective value; null until known or when not finite'),
  params: Type.Record(Type.String(), column(Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]), 'the parameter\'s value per trial (null when a trial lacks it)'), {
    description: 'by parameter name',
  }),
  metrics: Type.Record(Type.String(), column(NullableNumber, 'latest value per trial; null when unknown'), {
    description: 'latest value of each metric of the spec by name (the objective metric included)',
  }),
  textMetrics: Type.Optional(Type.Record(Type.String(), column(Type.Union([Type.String(), Type.Null()]), 'latest text per trial; null when none'), {
    description: 'metrics of the spec reported only as text (a DARTS genotype), by name; absent when no trial has one',
  })),
  startedAt: column(NullableNumber, 'milliseconds since 1970, null before the start'),
  finishedAt: column(NullableNumber, 'milliseconds since 1970, null while it runs'),
  message: column(Type.Union([Type.String(), Type.Null()]), 'the state\'s message, else its reason'),
  generation: Type.Optional(column(Type.Integer({ minimum: 0 }), 'as in TrialView (0 for a fresh start, the parent\'s + 1 for a trial that continued one: pbt); absent when every trial is 0')),
  // Only for experiments with several objectives or constraints (docs/multiobjective.md), as in TrialView.
  values: Type.Optional(column(Type.Union([Type.Array(Type.Number()), Type.Null()]), 'every objective\'s value in objective order; null unless the trial has them all')),
  feasible: Type.Optional(column(Type.Union([Type.Boolean(), Type.Null()]), 'whether it kept every constraint; null for a trial that did not complete with metrics')),
  violations: Type.Optional(column(Type.Array(BrokenConstraintSchema), 'the constraints it broke')),
})
export type TrialColumns = Static<typeof TrialColumnsSchema>
