import type { ExperimentRecord, Store } from '../../db/store.ts'
import { notFound } from './kube-status.ts'
import { namespaceOf } from './object-meta.ts'

/**
 * The experiment `name` in `namespace`, or 404 NotFound. Names are unique across namespaces
 * here, so an experiment of another namespace is not found, as it would not be on a cluster.
 */
export async function findKubeExperiment(store: Store, namespace: string, name: string): Promise<ExperimentRecord> {
  const record = await store.experiments.getByName(name)
  if (!record || namespaceOf(record.spec) !== namespace) throw notFound('experiments', name)
  return record
}
