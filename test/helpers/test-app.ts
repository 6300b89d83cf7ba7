import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../api/app.ts'
import type { AppOptions } from '../../api/app-options.ts'
import type { Store } from '../../db/store.ts'
import { openTestStore } from './test-store.ts'

export interface TestApp {
  readonly app: FastifyInstance
  readonly store: Store
  close(): Promise<void>
}

/** The API on a private test store (see openTestStore); nothing listens, drive it with `app.inject`. */
export async function openTestApp(overrides: Partial<Omit<AppOptions, 'store'>> = {}): Promise<TestApp> {
  const store = await openTestStore()
  try {
    const app = await buildApp({ store, ...overrides })
    return {
      app,
      store,
      close: async () => {
        try {
          await app.close()
        } finally {
          await store.destroy()
        }
      },
    }
  } catch (error) {
    await store.destroy()
    throw error
  }
}

/** A valid experiment name no other test uses (names are at most 40 characters). */
export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`

export interface ApiExperimentOptions {
  readonly max?: number
  readonly parallel?: number
  readonly maxFailed?: number
  readonly type?: 'minimize' | 'maximize'
  readonly resumePolicy?: 'Never' | 'LongRunning' | 'FromVolume'
  readonly labels?: Readonly<Record<string, string>>
  /** metadata.namespace; none: the default namespace. */
  readonly namespace?: string
  /** false: no trialTemplate (trials for outside workers). */
  readonly template?: boolean
}

/** Experiment YAML for API tests; its command never runs (no controller in inject tests). */
export function experimentYaml(name: string, o: ApiExperimentOptions = {}): string {
  const labels = o.labels ? `  labels:\n${Object.entries(o.labels).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}\n` : ''
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
${o.namespace ? `  namespace: ${o.namespace}\n` : ''}${labels}spec:
  objective:
    type: ${o.type ?? 'minimize'}
    objectiveMetricName: loss
  algorithm:
    algorithmName: random
  parallelTrialCount: ${o.parallel ?? 2}
  maxTrialCount: ${o.max ?? 10}
${o.maxFailed !== undefined ? `  maxFailedTrialCount: ${o.maxFailed}\n` : ''}${o.resumePolicy ? `  resumePolicy: ${o.resumePolicy}\n` : ''}  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.01", max: "0.1"}
    - name: optimizer
      parameterType: categorical
      feasibleSpace: {list: [sgd, adam]}
${o.template === false ? '' : `  trialTemplate:
    command: [python3, train.py, "--lr=\${trialParameters.lr}", "--optimizer=\${trialParameters.optimizer}"]
`}`
}

/** POSTs YAML and returns the response. */
export function postYaml(app: FastifyInstance, yaml: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'application/yaml', ...headers }, payload: yaml })
}
