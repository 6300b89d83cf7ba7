import type { FastifyRequest } from 'fastify'
import { EXPERIMENT_COLUMNS, SUGGESTION_COLUMNS, TRIAL_COLUMNS, type PrinterColumn } from './discovery/api-resources.ts'

/**
 * The meta.k8s.io/v1 Table that `kubectl get` asks for (`Accept: application/json;as=Table;
 * v=v1;g=meta.k8s.io`): the server, not kubectl, decides the columns, so this is where
 * `kubectl get exp` gets Katib's TYPE, STATUS and AGE, and where an Experiment's best objective
 * value is shown, which no CRD JSONPath can express (it depends on the metric's strategy).
 */

export type TableKind = 'Experiment' | 'Trial' | 'Suggestion'

/** `?includeObject=`: what each row carries besides its cells; Metadata is a server's default. */
export type IncludeObject = 'None' | 'Metadata' | 'Object'

/**
 * What toTable needs of an object (the columns read the rest by path); no index signature, so
 * any object type with metadata fits without a cast.
 */
export interface TableObject {
  readonly metadata: { readonly name?: string; readonly creationTimestamp?: string }
}

export interface TableListMeta {
  readonly resourceVersion?: string
  readonly continue?: string
  readonly remainingItemCount?: number
}

export interface Table {
  readonly kind: 'Table'
  readonly apiVersion: 'meta.k8s.io/v1'
  readonly metadata: TableListMeta
  readonly columnDefinitions: readonly ColumnDefinition[]
  readonly rows: readonly TableRow[]
}

export interface ColumnDefinition {
  readonly name: string
  readonly type: string
  readonly format: string
  readonly description: string
  readonly priority: number
}

export interface TableRow {
  readonly cells: readonly unknown[]
  readonly object?: unknown
}

/** The Content-Type of a Table answer, as a server labels it. */
export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io'

interface Column extends PrinterColumn {
  /** A value JSONPath cannot reach; otherwise the column's jsonPath is evaluated. */
  readonly cell?: (object: TableObject) => unknown
}

// Descriptions as a server gives them for a CRD's columns (kubectl shows them nowhere, but -o json does).
const NAME_COLUMN: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
}

/** The best trial's objective value under the objective metric's strategy (Katib's default: the objective type's). */
function bestObjectiveValue(object: TableObject): unknown {
  const { spec, status } = object as { spec?: unknown; status?: unknown }
  const objective = (spec as { objective?: { type?: string; objectiveMetricName?: string; metricStrategies?: { name?: string; value?: string }[] } } | undefined)?.objective
  const optimal = (status as { currentOptimalTrial?: { observation?: { metrics?: { name?: string; min?: string; max?: string; latest?: string }[] } } } | undefined)?.currentOptimalTrial
  const name = objective?.objectiveMetricName
  const metric = optimal?.observation?.metrics?.find((m) => m.name === name)
  if (metric === undefined) return undefined
  const strategy = objective?.metricStrategies?.find((s) => s.name === name)?.value ?? (objective?.type === 'maximize' ? 'max' : 'min')
  const value = strategy === 'max' ? metric.max : strategy === 'latest' ? metric.latest : metric.min
  return value === 'unavailable' ? undefined : value
}

const OBJECTIVE_COLUMN: Column = {
  name: 'Objective',
  type: 'string',
  jsonPath: '.status.currentOptimalTrial.observation.metrics',
  description: "The best trial's objective value",
  cell: bestObjectiveValue,
}

const [TYPE, STATUS, AGE, ...WIDE] = EXPERIMENT_COLUMNS

const COLUMNS: Readonly<Record<TableKind, readonly Column[]>> = {
  Experiment: [TYPE!, STATUS!, OBJECTIVE_COLUMN, AGE!, ...WIDE],
  Trial: TRIAL_COLUMNS,
  Suggestion: SUGGESTION_COLUMNS,
}

/**
 * Whether the client asked for a Table: some entry of Accept names `as=Table` in meta.k8s.io
 * (kubectl get lists v1, v1beta1, then plain JSON as its fallback).
 */
export function wantsTable(request: Pick<FastifyRequest, 'headers'>): boolean {
  const accept = request.headers.accept ?? ''
  return accept.split(',').some((entry) => {
    const params = mediaParams(entry)
    return params.as === 'Table' && (params.g === undefined || params.g === 'meta.k8s.io') && params.q !== '0'
  })
}

function mediaParams(entry: string): Record<string, string> {
  const params: Record<string, string> = {}
  for (const part of entry.split(';').slice(1)) {
    const [key, value] = part.split('=')
    if (key !== undefined && value !== undefined) params[key.trim()] = value.trim()
  }
  return params
}

/** `?includeObject=` as given, Metadata when absent or unknown. */
export function includeObjectOf(value: unknown): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata'
}

/**
 * The Table for a list (or, with one object, for a get). Rows follow `objects`' order; each
 * carries PartialObjectMetadata (default), the whole object, or nothing, per `includeObject`.
 */
export function toTable(kind: TableKind, objects: readonly TableObject[], listMeta: TableListMeta = {}, includeObject: IncludeObject = 'Metadata', now = Date.now()): Table {
  const columns = COLUMNS[kind]
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: [NAME_COLUMN, ...columns.map(definition)],
    rows: objects.map((object) => ({
      cells: [object.metadata.name ?? '', ...columns.map((column) => cell(column, object, now))],
      ...rowObject(object, includeObject),
    })),
  }
}

function definition(column: Column): ColumnDefinition {
  return { name: column.name, type: column.type, format: '', description: column.description ?? describe(column), priority: column.priority ?? 0 }
}

/** A server's description of a CRD column without one: its JSONPath, or CreationTimestamp's text for the age. */
function describe(column: Column): string {
  if (column.jsonPath === '.metadata.creationTimestamp') {
    return 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'
  }
  return `Custom resource definition column (in JSONPath format): ${column.jsonPath}`
}

/** As the API server fills a CRD column: a string column as text, a date as its age, a missing value null. */
function cell(column: Column, object: TableObject, now: number): unknown {
  const raw = column.cell ? column.cell(object) : evaluateColumnPath(object, column.jsonPath)
  if (raw === undefined || raw === null) return null
  if (column.type === 'date') return typeof raw === 'string' ? humanAge(raw, now) : null
  if (column.type === 'string') return typeof raw === 'object' ? JSON.stringify(raw) : String(raw)
  return raw
}

function rowObject(object: TableObject, includeObject: IncludeObject): { object?: unknown } {
  if (includeObject === 'None') return {}
  if (includeObject === 'Object') return { object }
  return { object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata } }
}

/** The subset of JSONPath that printer columns use: `.a.b`, `[n]`, `[-1:]`, `['key']`. */
export function evaluateColumnPath(object: unknown, path: string): unknown {
  let node: unknown = object
  const tokens = path.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? []
  for (const token of tokens) {
    if (node === undefined || node === null) return undefined
    if (token.startsWith('.')) {
      if (typeof node !== 'object' || Array.isArray(node)) return undefined
      node = (node as Record<string, unknown>)[token.slice(1)]
      continue
    }
    const inner = token.slice(1, -1)
    const quoted = /^'(.*)'$/.exec(inner)
    if (quoted) {
      if (typeof node !== 'object' || Array.isArray(node)) return undefined
      node = (node as Record<string, unknown>)[quoted[1]!]
    } else if (!Array.isArray(node)) return undefined
    else if (inner.includes(':')) {
      const [from, to] = inner.split(':').map((n) => (n === '' ? undefined : Number(n)))
      node = node.slice(from, to)[0]
    } else node = node.at(Number(inner))
  }
  return node
}

/** An age as Kubernetes' duration.HumanDuration prints it (what `kubectl get` shows under AGE). */
export function humanAge(timestamp: string, now = Date.now()): string {
  const ms = now - Date.parse(timestamp)
  if (Number.isNaN(ms)) return '<unknown>'
  const seconds = Math.trunc(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}
