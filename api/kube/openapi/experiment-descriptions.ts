import type { JsonSchema } from './to-structural-schema.ts'

/**
 * What `kubectl explain experiment.spec…` prints for each field: Katib's field documentation
 * (pkg/apis/controller/experiments/v1beta1, reworded) and our local-trial extensions. Kept by
 * field path beside the schema rather than in core/spec's TypeBox schema, which validates and
 * has no room for prose; experiment-schema.ts adds them to the CRD's schema and so to both the
 * CRD of cluster mode and the OpenAPI documents of `tunewell serve`.
 */
export const EXPERIMENT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  spec: 'ExperimentSpec is the specification of an Experiment: the search space, the objective, the algorithm, the budget and the trial template.',
  'spec.parameters': 'List of hyperparameter configurations: the search space.',
  'spec.parameters.name': 'Name of the parameter; trialTemplate.trialParameters refer to it.',
  'spec.parameters.parameterType': 'Type of the parameter: int, double, categorical or discrete.',
  'spec.parameters.feasibleSpace': 'The values the parameter may take: min and max (and step) for int and double, list for categorical and discrete.',
  'spec.parameters.feasibleSpace.min': 'Lower bound, as a string.',
  'spec.parameters.feasibleSpace.max': 'Upper bound, as a string.',
  'spec.parameters.feasibleSpace.list': 'The values of a categorical or discrete parameter.',
  'spec.parameters.feasibleSpace.step': 'Step between values of an int or double parameter, as a string.',
  'spec.parameters.feasibleSpace.distribution': 'How values are drawn: uniform, logUniform, normal or logNormal.',
  'spec.objective': 'The metric to optimize and whether to minimize or maximize it.',
  'spec.objective.type': 'Type of optimization: minimize or maximize.',
  'spec.objective.goal': 'The objective value that, once reached by a trial, completes the experiment as Succeeded.',
  'spec.objective.objectiveMetricName': 'Name of the metric to optimize.',
  'spec.objective.additionalMetricNames': 'Other metrics to collect from each trial, without optimizing them.',
  'spec.objective.metricStrategies': "Which value of each metric counts for a trial: min, max or latest (default: the objective type's min or max).",
  'spec.objective.objectives': 'Tunewell extension (Katib refuses it): further objectives after objectiveMetricName, each a metric and a direction (minimize or maximize); with two or more the result is a Pareto front.',
  'spec.objective.objectives.metric': 'Name of the metric of this objective.',
  'spec.objective.objectives.direction': 'minimize or maximize (case-insensitive).',
  'spec.objective.constraints': 'Tunewell extension (Katib refuses it): bounds on reported metrics, as "METRIC <= NUMBER" or "METRIC >= NUMBER"; a trial that breaks one is infeasible and never best.',
  'spec.objective.referencePoint': 'Tunewell extension, several objectives: the hypervolume\'s reference point, one value per objective as reported (default: each objective\'s worst feasible value plus 10% of its range).',
  'spec.algorithm': 'The search algorithm that suggests the trials.',
  'spec.algorithm.algorithmName': 'Name of the algorithm: random, grid, bayesianoptimization, tpe, multivariate-tpe, cmaes, sobol, hyperband, ...',
  'spec.algorithm.algorithmSettings': "Key-value settings of the algorithm (values as strings).",
  'spec.earlyStopping': 'The early-stopping algorithm that stops unpromising trials.',
  'spec.earlyStopping.algorithmName': 'Name of the early-stopping algorithm: medianstop.',
  'spec.earlyStopping.algorithmSettings': 'Key-value settings of the early-stopping algorithm.',
  'spec.parallelTrialCount': 'How many trials run at the same time (default 3).',
  'spec.maxTrialCount': 'How many trials to run in all before the experiment completes; may be raised while it runs.',
  'spec.maxFailedTrialCount': 'How many trials may fail before the experiment fails.',
  'spec.resumePolicy': 'What happens after the experiment completes: Never (it cannot be resumed), LongRunning or FromVolume (raising maxTrialCount resumes it).',
  'spec.metricsCollectorSpec': "How metrics are collected from the trials: the collector's kind and where it reads.",
  'spec.metricsCollectorSpec.source': 'Where the collector reads metrics: a file, a TensorFlow event directory, an HTTP endpoint, and the filter that parses lines.',
  'spec.metricsCollectorSpec.collector': 'The collector: StdOut (default), File, TensorFlowEvent, PrometheusMetric, Custom or Push.',
  'spec.nasConfig': 'Neural architecture search: the graph and the operations to search over.',
  'spec.trialTemplate': 'How each trial runs: a Kubernetes manifest (trialSpec or a ConfigMap) with placeholders for the trial parameters, or, with Tunewell, a local command.',
  'spec.trialTemplate.retain': "Keep the trial's workload after it completes.",
  'spec.trialTemplate.trialSpec': 'The workload each trial creates (a Job, TFJob, PyTorchJob, ...), with ${trialParameters.NAME} placeholders.',
  'spec.trialTemplate.configMap': 'A ConfigMap holding the trial template instead of trialSpec.',
  'spec.trialTemplate.trialParameters': 'The placeholders of the template and the search-space parameters (or trial metadata) they take.',
  'spec.trialTemplate.primaryContainerName': "Name of the container whose exit decides the trial's outcome and whose output carries the metrics.",
  'spec.trialTemplate.primaryPodLabels': "Labels of the pods that run the primary container (for distributed jobs).",
  'spec.trialTemplate.successCondition': "A GJSON condition on the workload's status that means the trial succeeded.",
  'spec.trialTemplate.failureCondition': "A GJSON condition on the workload's status that means the trial failed.",
  'spec.trialTemplate.command': 'Tunewell: run each trial as this local process (argv, not a shell line) instead of a Kubernetes workload.',
  'spec.trialTemplate.env': 'Tunewell: environment variables of the local trial process.',
  'spec.trialTemplate.workingDir': 'Tunewell: working directory of the local trial process.',
  'spec.trialTemplate.activeDeadlineSeconds': 'Tunewell: seconds a local trial may run before it is stopped (SIGTERM, then SIGKILL).',
  status: 'ExperimentStatus is the state of the Experiment, written by the controller.',
  'status.conditions': 'The conditions of the experiment: Created, Running, Restarting, Succeeded, Failed; the last one is its state.',
  'status.currentOptimalTrial': 'The best trial so far: its name, parameter assignments and observed metrics.',
  'status.startTime': 'When the experiment started.',
  'status.completionTime': 'When the experiment completed.',
  'status.trials': 'How many trials the experiment has.',
  'status.trialsSucceeded': 'How many trials succeeded.',
  'status.trialsFailed': 'How many trials failed.',
  'status.trialsRunning': 'How many trials are running.',
  'status.trialsPending': 'How many trials are pending.',
  'status.trialsKilled': 'How many trials were killed.',
  'status.trialsEarlyStopped': 'How many trials were stopped early.',
}

/** The schema with each described field's description set; an array's item fields are named after the array (spec.parameters.name). */
export function withDescriptions(schema: JsonSchema, descriptions: Readonly<Record<string, string>>, path = '', describeSelf = true): JsonSchema {
  const out: JsonSchema = { ...schema }
  const description = describeSelf ? descriptions[path] : undefined
  if (description !== undefined && out.description === undefined) out.description = description
  if (out.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, JsonSchema>).map(([name, child]) => [
      name, withDescriptions(child, descriptions, path === '' ? name : `${path}.${name}`),
    ]))
  }
  if (out.items !== undefined) out.items = withDescriptions(out.items as JsonSchema, descriptions, path, false)
  return out
}
