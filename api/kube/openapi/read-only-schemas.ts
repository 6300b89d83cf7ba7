import { experimentOpenApiSchema } from './experiment-schema.ts'
import type { JsonSchema } from './to-structural-schema.ts'

/**
 * The schemas of Trials and Suggestions for `kubectl explain trial.spec`: Katib's CRDs publish
 * them as objects that keep any field, and so do we (unknown fields are preserved), but with the
 * fields this server writes typed and described. The parts they share with an Experiment
 * (objective, algorithm, conditions, metrics) are the Experiment schema's own.
 */

const described = (description: string, schema: JsonSchema): JsonSchema => ({ ...schema, description })
const text = (description: string): JsonSchema => ({ type: 'string', description })
const count = (description: string): JsonSchema => ({ type: 'integer', description })

type Props = Record<string, JsonSchema>

function experimentParts() {
  const experiment = experimentOpenApiSchema()
  const spec = (experiment.properties as Props).spec!.properties as Props
  const status = (experiment.properties as Props).status!.properties as Props
  const optimal = status.currentOptimalTrial!.properties as Props
  return { spec, status, assignments: optimal.parameterAssignments!, observation: optimal.observation! }
}

const preserving = (description: string, properties: Props): JsonSchema => ({ type: 'object', description, properties, 'x-kubernetes-preserve-unknown-fields': true })

export function trialSchema(): JsonSchema {
  const { spec, status, assignments, observation } = experimentParts()
  return preserving('A Katib Trial: one run of the trial template with one assignment of the parameters; written by the controller (read-only here).', {
    spec: preserving("TrialSpec: what the trial runs and what it reports.", {
      objective: spec.objective!,
      parameterAssignments: described("The trial's parameter values, by name.", assignments),
      primaryContainerName: text("Name of the container whose exit decides the trial's outcome."),
      primaryPodLabels: { type: 'object', description: 'Labels of the pods that run the primary container.', additionalProperties: { type: 'string' } },
      successCondition: text("A GJSON condition on the workload's status that means success."),
      failureCondition: text("A GJSON condition on the workload's status that means failure."),
      retainRun: { type: 'boolean', description: "Keep the trial's workload after it completes." },
      metricsCollector: { type: 'object', description: 'How the metrics of this trial are collected.', 'x-kubernetes-preserve-unknown-fields': true },
    }),
    status: preserving("TrialStatus: the trial's state and observed metrics.", {
      startTime: text('When the trial started.'),
      completionTime: text('When the trial completed.'),
      lastReconcileTime: text('When the controller last wrote this status.'),
      conditions: described('Created, Running, Succeeded, Failed, Killed, EarlyStopped, MetricsUnavailable; the last one is its state.', status.conditions!),
      observation: described('The metrics the trial reported: min, max and latest of each.', observation),
    }),
  })
}

export function suggestionSchema(): JsonSchema {
  const { spec, status, assignments } = experimentParts()
  return preserving("A Katib Suggestion: the experiment's requests to its algorithm and the assignments it returned; written by the controller (read-only here).", {
    spec: preserving('SuggestionSpec: the algorithm and how many assignments are asked for.', {
      algorithm: spec.algorithm!,
      earlyStopping: spec.earlyStopping!,
      requests: count('How many parameter assignments the experiment has asked for.'),
      resumePolicy: text('The resume policy of the experiment.'),
    }),
    status: preserving("SuggestionStatus: the algorithm's answers.", {
      startTime: text('When the suggestion started.'),
      completionTime: text('When the suggestion completed.'),
      lastReconcileTime: text('When the controller last wrote this status.'),
      conditions: described('Created, DeploymentReady, Running, Succeeded, Failed; the last one is its state.', status.conditions!),
      suggestionCount: count('How many assignments the algorithm has given.'),
      suggestions: {
        type: 'array',
        description: 'The assignments given, one per trial.',
        items: { type: 'object', properties: { name: text('Name of the trial.'), parameterAssignments: described('The parameter values.', assignments) } },
      },
    }),
  })
}
