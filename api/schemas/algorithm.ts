import { Type } from 'typebox'

export const AlgorithmSettingSchema = Type.Object({
  name: Type.String({ description: 'Katib setting name, e.g. random_state' }),
  type: Type.Enum(['int', 'float', 'string', 'enum']),
  default: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  required: Type.Boolean(),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  exclusiveMin: Type.Optional(Type.Boolean()),
  exclusiveMax: Type.Optional(Type.Boolean()),
  values: Type.Optional(Type.Array(Type.String(), { description: 'accepted values of an enum setting' })),
  description: Type.String(),
})

export const AlgorithmSchema = Type.Object({
  name: Type.String({ description: 'Katib algorithmName' }),
  description: Type.String(),
  settings: Type.Array(AlgorithmSettingSchema, { description: 'values are given as strings in algorithmSettings' }),
})

export const AlgorithmListSchema = Type.Object({
  items: Type.Array(AlgorithmSchema, { description: 'the algorithms that search spec.parameters' }),
  architectureSearches: Type.Array(AlgorithmSchema, { description: 'the algorithms that search spec.nasConfig (neural architecture search)' }),
  planned: Type.Array(Type.String(), { description: 'Katib names accepted by validation but not runnable in this version' }),
})
