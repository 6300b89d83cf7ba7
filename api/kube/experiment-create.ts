import { randomInt } from 'node:crypto'
import { InvalidSpecError, TunewellError, type SpecIssue } from '../../core/errors.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { Store } from '../../db/store.ts'
import { createExperiment } from '../operations/create-experiment.ts'
import { inTransaction } from './dry-run.ts'
import { checkBodyIdentity, droppedMetadataWarnings, storedDocument, type KubeBody } from './experiment-document.ts'
import { experimentObject, type KatibExperiment } from './experiment-object.ts'
import { applyFieldValidation, type FieldValidation } from './field-validation.ts'
import { alreadyExists, causesFromIssues, internalError, invalid } from './kube-status.ts'
import { objectMetaCauses } from './validate-object-meta.ts'
import { issueWarnings } from './warnings.ts'

export interface KubeWriteOptions {
  readonly dryRun: boolean
  readonly fieldValidation: FieldValidation
  /** Checks beyond the spec (the server's parallel-trial limit, whether it can run the template). */
  readonly admit?: ((experiment: Experiment) => readonly SpecIssue[]) | undefined
}

export interface KubeWriteResult {
  readonly object: KatibExperiment
  /** `Warning` header values: fields dropped, the spec checks' warnings. */
  readonly warnings: readonly string[]
  /** The experiment's id when the write changed what the controller runs (create, new counts). */
  readonly wake?: string
}

/** How often a generated name is drawn again when taken, as a server retries (RetryGenerateName). */
const GENERATE_NAME_TRIES = 7

/**
 * POST of an Experiment in a namespace, as a server creates a custom resource: the body's
 * identity first (400), then its unknown fields by `fieldValidation`, then every check a
 * submission gets (422 Invalid with a cause per field), stored through the same operation as
 * the REST API's submit, so it is one experiment for kubectl, the CLI and the dashboard.
 * `generateName` draws a name (five characters, as a server's); a taken name is 409 AlreadyExists.
 */
export async function createKubeExperiment(store: Store, namespace: string, body: unknown, options: KubeWriteOptions): Promise<KubeWriteResult> {
  checkBodyIdentity(body, namespace)
  const metadata = (body.metadata ?? {}) as KubeBody
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== '') {
    // What a server answers (its storage refuses it), so `kubectl create -f` of a `get -o yaml` output fails as it does there.
    throw internalError('Internal error occurred: resourceVersion should not be set on objects to be created')
  }
  const validated = applyFieldValidation(body, options.fieldValidation)
  const document = storedDocument(validated.document as KubeBody, namespace)
  const generateName = typeof metadata.generateName === 'string' && metadata.generateName !== '' ? metadata.generateName : undefined
  const named = metadata.name !== undefined && metadata.name !== ''
  if (!named && !generateName) {
    throw invalid('experiments', '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }])
  }
  const metaCauses = objectMetaCauses(document.metadata as KubeBody)
  if (metaCauses.length > 0) throw invalid('experiments', String(metadata.name ?? generateName ?? ''), metaCauses)
  for (let attempt = 1; ; attempt++) {
    const name = named ? String(metadata.name) : generatedName(generateName!)
    try {
      const dropped = [...validated.warnings, ...droppedMetadataWarnings(validated.document as KubeBody)]
      return await createNamed(store, { ...document, metadata: { ...(document.metadata as KubeBody), name } }, name, dropped, options)
    } catch (error) {
      if (!(error instanceof TunewellError && error.code === 'EXPERIMENT_EXISTS')) throw error
      if (named || attempt >= GENERATE_NAME_TRIES) throw alreadyExists('experiments', name)
    }
  }
}

async function createNamed(store: Store, document: KubeBody, name: string, dropped: readonly string[], options: KubeWriteOptions): Promise<KubeWriteResult> {
  try {
    return await inTransaction(store, options.dryRun, async (tx) => {
      const { record, warnings } = await createExperiment(tx, { json: document }, options.admit)
      return {
        object: await experimentObject(tx, record),
        warnings: [...dropped, ...issueWarnings(warnings)],
        ...(options.dryRun ? {} : { wake: record.id }),
      }
    })
  } catch (error) {
    if (error instanceof InvalidSpecError) throw invalid('experiments', name, causesFromIssues(error.issues))
    throw error
  }
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
/** A server keeps a name within 63 characters: the prefix is cut to leave room for the suffix. */
const MAX_GENERATED_PREFIX = 58

function generatedName(prefix: string): string {
  let suffix = ''
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]
  return prefix.slice(0, MAX_GENERATED_PREFIX) + suffix
}
