import { Type, type Static } from 'typebox'

export const ImportanceSchema = Type.Object({
  method: Type.Literal('ped-anova', { description: 'PED-ANOVA (Watanabe et al., IJCAI 2023): top quantile against all finished trials' }),
  quantile: Type.Number({ description: 'share of the finished trials that count as top' }),
  finishedTrials: Type.Integer({ description: 'Succeeded and EarlyStopped trials with an objective value (an early-stopped one with the value it reached at its rung)' }),
  resourceParameter: Type.Optional(Type.String({ description: 'the multi-fidelity resource (hyperband\'s resource_name, e.g. epochs), left out of the parameters: the algorithm sets it by rung' })),
  trials: Type.Integer({ description: 'trials the estimate used (all finished ones up to a cap)' }),
  topTrials: Type.Integer({ description: 'of which in the top quantile' }),
  threshold: Type.Union([Type.Number(), Type.Null()], { description: 'the objective value the top trials reach; null without an estimate' }),
  parameters: Type.Array(Type.Object({
    name: Type.String(),
    importance: Type.Number({ description: 'share of the total, 0 to 1; the parameters sum to 1' }),
    divergence: Type.Number({ description: 'Pearson divergence of the top trials\' density of this parameter from all trials\' density' }),
  }), { description: 'most important first; empty while there are too few finished trials' }),
  note: Type.Union([Type.String(), Type.Null()], { description: 'why there is no estimate yet, or null' }),
})
export type Importance = Static<typeof ImportanceSchema>
