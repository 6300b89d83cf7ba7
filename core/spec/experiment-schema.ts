/**
 * Katib `kubeflow.org/v1beta1` Experiment as TypeBox (JSON Schema) types.
 *
 * Katib's CRD preserves unknown fields and leaves all checking to its webhook, so a typo there
 * is silently ignored. Here every object is closed (`additionalProperties: false`) except the
 * ones that are open in Kubernetes itself: metadata, trialSpec, customCollector, httpGet and
 * label maps. Semantic rules (ranges, cross-field checks) live in validate-*.ts, not here.
 */
import { Type, type Static, type TProperties } from 'typebox'
import { METRIC_STRATEGIES } from '../metric.ts'

const closed = <P extends TProperties>(properties: P) => Type.Object(properties, { additionalProperties: false })

const StringMap = Type.Record(Type.String(), Type.String())
/** An arbitrary Kubernetes object (or container); Kubernetes validates it, not us. */
const AnyObject = Type.Record(Type.String(), Type.Unknown())

export const ParameterTypeSchema = Type.Enum(['int', 'double', 'categorical', 'discrete'])
export type ParameterType = Static<typeof ParameterTypeSchema>

export const DistributionSchema = Type.Enum(['uniform', 'logUniform', 'normal', 'logNormal'])
export type Distribution = Static<typeof DistributionSchema>

/**
 * Bounds are strings in Katib. YAML numbers are accepted too: normalise-feasible-space.ts turns
 * them into strings before this schema sees them.
 */
export const FeasibleSpaceSchema = closed({
  max: Type.Optional(Type.String()),
  min: Type.Optional(Type.String()),
  list: Type.Optional(Type.Array(Type.String())),
  step: Type.Optional(Type.String()),
  distribution: Type.Optional(DistributionSchema),
})
export type FeasibleSpace = Static<typeof FeasibleSpaceSchema>

export const ParameterSpecSchema = closed({
  name: Type.String(),
  parameterType: ParameterTypeSchema,
  feasibleSpace: FeasibleSpaceSchema,
})
export type ParameterSpec = Static<typeof ParameterSpecSchema>

export const ObjectiveTypeSchema = Type.Enum(['minimize', 'maximize'])
export type ObjectiveType = Static<typeof ObjectiveTypeSchema>

/** The values of core/metric.ts's MetricStrategy. */
export const MetricStrategySchema = Type.Enum([...METRIC_STRATEGIES])

/** One entry of objective.metricStrategies: which strategy reduces which metric. */
export const MetricStrategySpecSchema = closed({
  name: Type.String(),
  value: MetricStrategySchema,
})
export type MetricStrategySpec = Static<typeof MetricStrategySpecSchema>

/**
 * Extension (issue 19): one further objective, in Kubeflow OptimizationJob's shape. `direction`
 * is minimize or maximize, case-insensitive (OptimizationJob writes `Minimize`), so a string
 * here: normalise-objectives.ts lower-cases it and validate-objectives.ts checks it.
 */
export const ObjectiveEntrySchema = closed({
  metric: Type.String(),
  direction: Type.String(),
})
export type ObjectiveEntry = Static<typeof ObjectiveEntrySchema>

export const ObjectiveSpecSchema = closed({
  type: ObjectiveTypeSchema,
  goal: Type.Optional(Type.Number()),
  objectiveMetricName: Type.String(),
  additionalMetricNames: Type.Optional(Type.Array(Type.String())),
  metricStrategies: Type.Optional(Type.Array(MetricStrategySpecSchema)),
  // Extensions (docs/multiobjective.md): further objectives after objectiveMetricName/type, and
  // constraints on reported metrics such as "latency_ms <= 50". Katib itself refuses both.
  objectives: Type.Optional(Type.Array(ObjectiveEntrySchema)),
  constraints: Type.Optional(Type.Array(Type.String())),
  /** With several objectives: the hypervolume's reference point, one value per objective as reported. */
  referencePoint: Type.Optional(Type.Array(Type.Number())),
})
export type ObjectiveSpec = Static<typeof ObjectiveSpecSchema>

export const AlgorithmSettingSchema = closed({
  name: Type.String(),
  value: Type.String(),
})
export type AlgorithmSetting = Static<typeof AlgorithmSettingSchema>

export const AlgorithmSpecSchema = closed({
  algorithmName: Type.String(),
  algorithmSettings: Type.Optional(Type.Array(AlgorithmSettingSchema)),
})
export type AlgorithmSpec = Static<typeof AlgorithmSpecSchema>

export const EarlyStoppingSpecSchema = closed({
  algorithmName: Type.String(),
  algorithmSettings: Type.Optional(Type.Array(AlgorithmSettingSchema)),
})
export type EarlyStoppingSpec = Static<typeof EarlyStoppingSpecSchema>

export const ResumePolicySchema = Type.Enum(['Never', 'LongRunning', 'FromVolume'])
export type ResumePolicy = Static<typeof ResumePolicySchema>

export const FileSystemKindSchema = Type.Enum(['File', 'Directory'])
export const FileFormatSchema = Type.Enum(['TEXT', 'JSON'])

export const FileSystemPathSchema = closed({
  path: Type.Optional(Type.String()),
  kind: Type.Optional(FileSystemKindSchema),
  format: Type.Optional(FileFormatSchema),
})
export type FileSystemPath = Static<typeof FileSystemPathSchema>

export const FilterSpecSchema = closed({
  metricsFormat: Type.Optional(Type.Array(Type.String())),
})
export type FilterSpec = Static<typeof FilterSpecSchema>

/** corev1.HTTPGetAction; only the fields Katib reads are typed, the rest pass through. */
export const HttpGetSchema = Type.Object({
  path: Type.Optional(Type.String()),
  port: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  host: Type.Optional(Type.String()),
  scheme: Type.Optional(Type.String()),
})
export type HttpGet = Static<typeof HttpGetSchema>

export const SourceSpecSchema = closed({
  fileSystemPath: Type.Optional(FileSystemPathSchema),
  filter: Type.Optional(FilterSpecSchema),
  httpGet: Type.Optional(HttpGetSchema),
})
export type SourceSpec = Static<typeof SourceSpecSchema>

export const CollectorKindSchema = Type.Enum(['StdOut', 'File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom', 'Push'])
export type CollectorKind = Static<typeof CollectorKindSchema>

export const CollectorSpecSchema = closed({
  kind: CollectorKindSchema,
  customCollector: Type.Optional(AnyObject),
})
export type CollectorSpec = Static<typeof CollectorSpecSchema>

export const MetricsCollectorSpecSchema = closed({
  source: Type.Optional(SourceSpecSchema),
  collector: Type.Optional(CollectorSpecSchema),
})
export type MetricsCollectorSpec = Static<typeof MetricsCollectorSpecSchema>

export const GraphConfigSchema = closed({
  numLayers: Type.Optional(Type.Integer()),
  inputSizes: Type.Optional(Type.Array(Type.Integer())),
  outputSizes: Type.Optional(Type.Array(Type.Integer())),
})
export type GraphConfig = Static<typeof GraphConfigSchema>

export const OperationSchema = closed({
  operationType: Type.String(),
  // DARTS operations such as skip_connection have none (katib-examples/nas/darts-gpu.yaml).
  parameters: Type.Optional(Type.Array(ParameterSpecSchema)),
})
export type Operation = Static<typeof OperationSchema>

export const NasConfigSchema = closed({
  graphConfig: Type.Optional(GraphConfigSchema),
  operations: Type.Optional(Type.Array(OperationSchema)),
})
export type NasConfig = Static<typeof NasConfigSchema>

export const ConfigMapSourceSchema = closed({
  configMapName: Type.String(),
  configMapNamespace: Type.String(),
  templatePath: Type.String(),
})
export type ConfigMapSource = Static<typeof ConfigMapSourceSchema>

export const TrialParameterSpecSchema = closed({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  reference: Type.String(),
})
export type TrialParameterSpec = Static<typeof TrialParameterSpecSchema>

export const EnvVarSchema = closed({
  name: Type.String(),
  value: Type.String(),
})
export type EnvVar = Static<typeof EnvVarSchema>

export const TrialTemplateSchema = closed({
  retain: Type.Optional(Type.Boolean()),
  trialSpec: Type.Optional(AnyObject),
  configMap: Type.Optional(ConfigMapSourceSchema),
  trialParameters: Type.Optional(Type.Array(TrialParameterSpecSchema)),
  primaryContainerName: Type.Optional(Type.String()),
  primaryPodLabels: Type.Optional(StringMap),
  successCondition: Type.Optional(Type.String()),
  failureCondition: Type.Optional(Type.String()),
  // Local extension: run a process instead of a Kubernetes manifest. argv, never a shell line.
  command: Type.Optional(Type.Array(Type.String())),
  env: Type.Optional(Type.Array(EnvVarSchema)),
  workingDir: Type.Optional(Type.String()),
  /** Trial timeout in seconds, named like the Kubernetes Job field it stands in for. */
  activeDeadlineSeconds: Type.Optional(Type.Number()),
})
export type TrialTemplate = Static<typeof TrialTemplateSchema>

export const ExperimentSpecSchema = closed({
  parameters: Type.Optional(Type.Array(ParameterSpecSchema)),
  objective: ObjectiveSpecSchema,
  algorithm: AlgorithmSpecSchema,
  earlyStopping: Type.Optional(EarlyStoppingSpecSchema),
  parallelTrialCount: Type.Optional(Type.Integer()),
  maxTrialCount: Type.Optional(Type.Integer()),
  maxFailedTrialCount: Type.Optional(Type.Integer()),
  resumePolicy: Type.Optional(ResumePolicySchema),
  metricsCollectorSpec: Type.Optional(MetricsCollectorSpecSchema),
  nasConfig: Type.Optional(NasConfigSchema),
  // Optional as in Katib's Go type (`*TrialTemplate`, omitempty); Katib's webhook requires it, we
  // do not: without one, trials are run by outside workers (ask/tell through `tunewell serve`).
  // `tunewell run` refuses such an experiment (controller/check-local.ts).
  trialTemplate: Type.Optional(TrialTemplateSchema),
})
export type ExperimentSpec = Static<typeof ExperimentSpecSchema>

/**
 * ObjectMeta: other keys (uid, ownerReferences, ...) are allowed and ignored. The name is
 * required although Kubernetes would accept generateName alone: experiments are stored and
 * resumed by name, so a generated one could never be found again.
 */
export const ObjectMetaSchema = Type.Object({
  name: Type.String(),
  generateName: Type.Optional(Type.String()),
  namespace: Type.Optional(Type.String()),
  labels: Type.Optional(StringMap),
  annotations: Type.Optional(StringMap),
})
export type ObjectMeta = Static<typeof ObjectMetaSchema>

export const EXPERIMENT_API_VERSION = 'kubeflow.org/v1beta1'
export const EXPERIMENT_KIND = 'Experiment'

export const ExperimentSchema = closed({
  apiVersion: Type.Literal(EXPERIMENT_API_VERSION),
  kind: Type.Literal(EXPERIMENT_KIND),
  metadata: ObjectMetaSchema,
  spec: ExperimentSpecSchema,
  // A status block is what `kubectl get -o yaml` returns; allow it so such output re-imports.
  status: Type.Optional(Type.Unknown()),
})
export type Experiment = Static<typeof ExperimentSchema>
