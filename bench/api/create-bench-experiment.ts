import { apiRequest } from '../../api/client/api-request.ts'

/**
 * An ask/tell experiment (no trialTemplate: its trials are run by clients) with random search,
 * over two doubles unless `parameters` says otherwise, created through the API like any client would.
 */
export async function createBenchExperiment(
  server: string, name: string, parallelTrialCount: number,
  o: { readonly maxTrialCount?: number; readonly parameters?: readonly object[] } = {},
): Promise<void> {
  await apiRequest(
    { server },
    {
      method: 'POST',
      path: '/api/v1/experiments',
      body: {
        apiVersion: 'kubeflow.org/v1beta1',
        kind: 'Experiment',
        metadata: { name },
        spec: {
          objective: { type: 'minimize', objectiveMetricName: 'loss', additionalMetricNames: ['accuracy'] },
          algorithm: { algorithmName: 'random' },
          parallelTrialCount,
          maxTrialCount: o.maxTrialCount ?? 100_000_000,
          parameters: o.parameters ?? ['x1', 'x2'].map((p) => ({ name: p, parameterType: 'double', feasibleSpace: { min: '0', max: '1' } })),
        },
      },
    },
  )
}

export async function experimentId(server: string, name: string): Promise<string> {
  const experiment = await apiRequest<{ metadata: { uid: string } }>({ server }, { method: 'GET', path: `/api/v1/experiments/${name}` })
  return experiment.metadata.uid
}
