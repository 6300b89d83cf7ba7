import type { ExperimentRecord, Store } from '../../db/store.ts'
import { experimentObjects, type KatibExperiment } from './experiment-object.ts'
import { decodeContinue, encodeContinue } from './experiment-continue.ts'
import { badRequest } from './kube-status.ts'
import { namespaceOf, type KubeListMeta } from './object-meta.ts'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from './selectors.ts'
import { listResourceVersion } from './list-resource-version.ts'

/** The fields a custom resource can be selected by. */
export const EXPERIMENT_FIELDS = ['metadata.name', 'metadata.namespace'] as const

export interface ExperimentListQuery {
  /** Absent: every namespace (`/apis/kubeflow.org/v1beta1/experiments`). */
  readonly namespace?: string | undefined
  readonly labelSelector?: string | undefined
  readonly fieldSelector?: string | undefined
  readonly limit?: string | undefined
  readonly continue?: string | undefined
  readonly resourceVersion?: string | undefined
}

export interface ExperimentList {
  readonly apiVersion: 'kubeflow.org/v1beta1'
  readonly kind: 'ExperimentList'
  readonly metadata: KubeListMeta
  readonly items: KatibExperiment[]
}

/** How many experiments one read of a scan takes. */
const SCAN_BATCH = 200

/**
 * A list of Experiments as a server answers it: selectors with Kubernetes' grammar (400 for a
 * malformed one), `limit` with an opaque `continue` token for the rest. The list's
 * resourceVersion is the highest change id (event or deletion), read before the items, so a
 * watch from it misses nothing the list did not show (it may repeat a change the list already
 * has, which a client takes as a MODIFIED of what it holds).
 *
 * Items come newest first, by keyset pages of the store: each chunk costs the same however far
 * in, and a continue token stays valid for ever (a server's can expire with 410; here a later
 * chunk shows the experiments as they are then, as a server's does after its own 410 relist).
 */
export async function listKubeExperiments(store: Store, query: ExperimentListQuery): Promise<ExperimentList> {
  const labels = parseLabelSelector(query.labelSelector)
  const fields = parseFieldSelector(query.fieldSelector, EXPERIMENT_FIELDS)
  const limit = parseLimit(query.limit)
  const token = query.continue ? decodeContinue(query.continue) : undefined
  if (token && query.resourceVersion !== undefined && query.resourceVersion !== '' && query.resourceVersion !== '0') {
    throw badRequest('specifying resource version is not allowed when using continue')
  }
  const resourceVersion = token?.resourceVersion ?? String(await listResourceVersion(store))
  const matches = (record: ExperimentRecord) => selected(record, query.namespace, labels, fields)
  const pinned = fields.find((f) => f.field === 'metadata.name' && f.operator !== '!=')
  if (pinned) {
    // `kubectl wait`/`get exp x -w` select one by name: one row, not a scan.
    const record = token ? undefined : await store.experiments.getByName(pinned.value)
    return list(await experimentObjects(store, record && matches(record) ? [record] : []), { resourceVersion })
  }
  const found: ExperimentRecord[] = []
  let after = token?.after
  let more = true
  while (more && (limit === undefined || found.length < limit)) {
    // Never more rows than the chunk still needs: a page then ends exactly where the chunk
    // does, and its `next` (the exact database position) is where the next chunk starts.
    const size = limit === undefined ? SCAN_BATCH : Math.min(SCAN_BATCH, limit - found.length)
    const page = await store.experiments.page({ limit: size, ...(after ? { after } : {}) })
    found.push(...page.items.filter(matches))
    after = page.next
    more = page.next !== undefined
  }
  const items = await experimentObjects(store, found)
  const next = more && after ? encodeContinue({ resourceVersion, after }) : undefined
  return list(items, { resourceVersion, ...(next ? { continue: next } : {}) })
}

function list(items: KatibExperiment[], metadata: KubeListMeta): ExperimentList {
  return { apiVersion: 'kubeflow.org/v1beta1', kind: 'ExperimentList', metadata, items }
}

function selected(record: ExperimentRecord, namespace: string | undefined, labels: LabelSelector, fields: FieldSelector): boolean {
  const ns = namespaceOf(record.spec)
  if (namespace !== undefined && ns !== namespace) return false
  return matchesLabels(labels, record.spec.metadata.labels) &&
    matchesFields(fields, { 'metadata.name': record.name, 'metadata.namespace': ns })
}

/** A server ignores a limit that is not a positive integer (it lists everything). */
function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  const limit = Number(value)
  return limit > 0 ? limit : undefined
}
