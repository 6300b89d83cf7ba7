import { randomUUID } from 'node:crypto'
import { applyDefaults } from './defaulting.ts'
import { parseFieldSelector } from './field-selector.ts'
import { clone, kubeTime, randomNameSuffix, type KubeObject } from './kube-object.ts'
import { parseLabelSelector } from './label-selector.ts'
import type { ObjectStore } from './object-store.ts'
import { apiVersionOf, type ResourceRegistry, type ResourceType } from './resource-types.ts'
import { alreadyExists, badRequest, conflict, gone, invalid, KubeError, notFound, successStatus, type StatusCause } from './status.ts'
import { validateObject } from './validation.ts'

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan'

export interface ListOptions {
  labelSelector?: string | null
  fieldSelector?: string | null
  limit?: number
  continue?: string | null
}

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy
  gracePeriodSeconds?: number
  preconditions?: { uid?: string; resourceVersion?: string }
}

/** What a DELETE answers: the object (still there, being deleted) or a Success Status; plus warnings. */
export interface DeleteResult {
  body: Record<string, unknown>
  warnings: string[]
}

/**
 * The API server's semantics over the store, shared by the HTTP handlers and the simulated
 * controllers: names and generateName, uid, resourceVersion preconditions, defaults, validation,
 * the status subresource, generation, finalizers and deletion with owner-reference garbage
 * collection.
 */
export class KubeApi {
  /** Called when a pod is to be deleted gracefully; the kubelet removes it once its processes ended. */
  onPodTerminating: (pod: KubeObject) => void = () => {}
  private readonly foregroundOwners = new Map<string, { type: ResourceType; object: KubeObject }>()

  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
  ) {
    // Foreground deletion: the owner goes once its last dependent has gone.
    store.subscribe((event) => {
      if (event.type === 'DELETED' && this.foregroundOwners.size > 0) queueMicrotask(() => this.finishForegroundDeletions())
    })
  }

  withKind(type: ResourceType, object: KubeObject): KubeObject {
    return { apiVersion: apiVersionOf(type), kind: type.kind, ...object }
  }

  private requireNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced) return
    if (!namespace) throw badRequest('the server could not find the requested resource: a namespace is required')
    const namespaces = this.registry.lookup('namespaces')
    if (!this.store.get(namespaces, undefined, namespace)) throw notFound(namespaces, namespace)
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.store.get(type, namespace, name)
    if (!object) throw notFound(type, name)
    return this.withKind(type, clone(object))
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): KubeObject {
    const labels = parseLabelSelector(options.labelSelector)
    const fields = parseFieldSelector(options.fieldSelector, type)
    let items = this.store
      .list(type, namespace)
      .filter((o) => labels(o.metadata.labels) && fields(o))
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
    let listVersion = this.store.resourceVersion
    let start = 0
    if (options.continue) {
      let token: { rv: number; start: number }
      try {
        token = JSON.parse(Buffer.from(options.continue, 'base64').toString('utf8'))
      } catch {
        throw badRequest('continue key is not valid')
      }
      if (token.rv < this.store.oldestResumableVersion) {
        throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.')
      }
      listVersion = token.rv
      start = token.start
    }
    let next: string | undefined
    if (options.limit && options.limit > 0) {
      if (start + options.limit < items.length) {
        next = Buffer.from(JSON.stringify({ rv: listVersion, start: start + options.limit })).toString('base64')
      }
      items = items.slice(start, start + options.limit)
    } else items = items.slice(start)
    return {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(listVersion), ...(next ? { continue: next, remainingItemCount: undefined } : {}) },
      // A built-in list's items carry no kind or apiVersion on the wire; custom resources' do.
      items: items.map((o) => (type.custom ? this.withKind(type, clone(o)) : stripKind(clone(o)))),
    }
  }

  private checkValid(type: ResourceType, object: KubeObject): void {
    const causes: StatusCause[] = validateObject(object, type)
    if (causes.length > 0) throw invalid(type, object.metadata.name ?? object.metadata.generateName ?? '', causes)
  }

  create(type: ResourceType, namespace: string | undefined, body: KubeObject, options: { dryRun?: boolean } = {}): KubeObject {
    if (!body || typeof body !== 'object' || typeof body.metadata !== 'object' || body.metadata === null) {
      body = { ...body, metadata: {} }
    }
    if (body.kind !== undefined && body.kind !== type.kind) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(type)})`)
    }
    if (type.namespaced && body.metadata.namespace && namespace && body.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
    }
    this.requireNamespace(type, namespace)
    const object = clone(body)
    const metadata = object.metadata
    if (!metadata.name) {
      if (!metadata.generateName) {
        throw invalid(type, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }])
      }
      metadata.name = metadata.generateName + randomNameSuffix()
    }
    if (type.namespaced) metadata.namespace = namespace
    else delete metadata.namespace
    metadata.uid = randomUUID()
    metadata.creationTimestamp = kubeTime()
    metadata.generation = 1
    delete metadata.resourceVersion
    delete metadata.deletionTimestamp
    object.apiVersion = apiVersionOf(type)
    object.kind = type.kind
    if (type.statusSubresource) {
      if (type.custom) delete object.status
      else object.status = {}
    }
    applyDefaults(type, object)
    this.checkValid(type, object)
    if (this.store.get(type, namespace, metadata.name)) throw alreadyExists(type, metadata.name)
    if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition') this.registerDefinition(object)
    if (options.dryRun) return this.withKind(type, object)
    return this.withKind(type, clone(this.store.add(type, object)))
  }

  /** PUT: replaces the object; `subresource: 'status'` replaces the status alone. */
  replace(type: ResourceType, namespace: string | undefined, name: string, body: KubeObject, options: { subresource?: string; dryRun?: boolean } = {}): KubeObject {
    const current = this.store.get(type, namespace, name)
    if (!current) throw notFound(type, name)
    if (body?.metadata?.name !== undefined && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`)
    }
    const sentVersion = body?.metadata?.resourceVersion
    if (sentVersion === undefined || sentVersion === '') {
      // Custom resources (and status writes) allow no unconditional update.
      if (type.custom) {
        throw invalid(type, name, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }])
      }
    } else if (sentVersion !== current.metadata.resourceVersion) throw conflict(type, name)
    return this.write(type, current, clone(body), options)
  }

  /** PATCH with one of the four content types. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    apply: (current: KubeObject) => KubeObject,
    options: { subresource?: string; dryRun?: boolean } = {},
  ): KubeObject {
    const current = this.store.get(type, namespace, name)
    if (!current) throw notFound(type, name)
    const patched = apply(this.withKind(type, clone(current)))
    if (typeof patched !== 'object' || patched === null || typeof patched.metadata !== 'object') {
      throw badRequest('the patch produced an object without metadata')
    }
    const sentVersion = patched.metadata.resourceVersion
    if (sentVersion !== undefined && sentVersion !== current.metadata.resourceVersion) throw conflict(type, name)
    return this.write(type, current, patched, options)
  }

  private write(type: ResourceType, current: KubeObject, incoming: KubeObject, options: { subresource?: string; dryRun?: boolean }): KubeObject {
    let next: KubeObject
    if (options.subresource === 'status') {
      // The status endpoint changes status only.
      next = clone(current)
      next.status = incoming.status
    } else {
      next = incoming
      next.apiVersion = apiVersionOf(type)
      next.kind = type.kind
      const meta = (next.metadata ??= {})
      // Fields the server owns.
      meta.name = current.metadata.name
      meta.namespace = current.metadata.namespace
      meta.uid = current.metadata.uid
      meta.creationTimestamp = current.metadata.creationTimestamp
      meta.generation = current.metadata.generation
      if (current.metadata.deletionTimestamp) meta.deletionTimestamp = current.metadata.deletionTimestamp
      else delete meta.deletionTimestamp
      if (type.statusSubresource) {
        if (current.status === undefined) delete next.status
        else next.status = clone(current.status)
      }
      if (type.group === 'batch' && type.kind === 'Job') applyDefaults(type, next)
      this.checkImmutable(type, current, next)
      // generation counts changes of anything but metadata and status.
      if (JSON.stringify(specOf(next)) !== JSON.stringify(specOf(current))) meta.generation = (current.metadata.generation ?? 1) + 1
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion
    this.checkValid(type, next)
    if (options.dryRun) return this.withKind(type, next)
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      // The last finalizer removed: the deletion that waited on it goes through.
      this.store.remove(type, next)
      this.collectDependents(next)
      return this.withKind(type, clone(next))
    }
    if (JSON.stringify(stripVersion(next)) === JSON.stringify(stripVersion(current))) {
      // A no-op write changes nothing, not even the resourceVersion, as on a real server.
      return this.withKind(type, clone(current))
    }
    return this.withKind(type, clone(this.store.update(type, next)))
  }

  private checkImmutable(type: ResourceType, current: KubeObject, next: KubeObject): void {
    const name = current.metadata.name!
    if (type.group === 'batch' && type.kind === 'Job') {
      const causes: StatusCause[] = []
      for (const field of ['selector', 'template', 'completionMode', 'podFailurePolicy'] as const) {
        const before = current.spec?.[field]
        const after = next.spec?.[field]
        if (after !== undefined && JSON.stringify(before) !== JSON.stringify(after)) {
          causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable', field: `spec.${field}` })
        }
      }
      if (causes.length > 0) throw invalid(type, name, causes)
    }
    if (type.group === '' && type.kind === 'Pod') {
      const comparable = (spec: KubeObject['spec']) => {
        const copy = clone(spec ?? {})
        for (const c of copy.containers ?? []) delete c.image
        delete copy.activeDeadlineSeconds
        delete copy.tolerations
        return JSON.stringify(copy)
      }
      if (comparable(current.spec) !== comparable(next.spec)) {
        throw invalid(type, name, [
          { reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (only additions to existing tolerations)', field: 'spec' },
        ])
      }
    }
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const current = this.store.get(type, namespace, name)
    if (!current) throw notFound(type, name)
    const { preconditions } = options
    if (preconditions?.uid && preconditions.uid !== current.metadata.uid) {
      throw new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural} "${name}": Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`)
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) throw conflict(type, name)
    const warnings: string[] = []
    let policy = options.propagationPolicy
    if (policy === undefined && type.group === 'batch' && type.kind === 'Job') {
      // batch/v1 Jobs orphan their pods unless told otherwise, and the server says so.
      policy = 'Orphan'
      warnings.push(
        'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning',
      )
    }
    policy ??= 'Background'
    if (current.metadata.deletionTimestamp) return { body: this.withKind(type, clone(current)), warnings }

    if (policy === 'Orphan') {
      for (const [depType, dependent] of this.dependentsOf(current)) {
        const updated = clone(dependent)
        updated.metadata.ownerReferences = (updated.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== current.metadata.uid)
        if (updated.metadata.ownerReferences.length === 0) delete updated.metadata.ownerReferences
        this.store.update(depType, updated)
      }
    }
    const finalizers = [...(current.metadata.finalizers ?? [])]
    if (policy === 'Foreground' && this.dependentsOf(current).length > 0) finalizers.push('foregroundDeletion')
    const graceful = type.group === '' && type.kind === 'Pod' && options.gracePeriodSeconds !== 0 && current.spec?.nodeName
    if (finalizers.length > 0 || graceful) {
      const marked = clone(current)
      marked.metadata.deletionTimestamp = kubeTime()
      marked.metadata.finalizers = finalizers.length > 0 ? finalizers : undefined
      if (!marked.metadata.finalizers) delete marked.metadata.finalizers
      if (graceful) marked.metadata.deletionGracePeriodSeconds = options.gracePeriodSeconds ?? current.spec?.terminationGracePeriodSeconds ?? 30
      const stored = this.store.update(type, marked)
      if (finalizers.includes('foregroundDeletion')) {
        this.foregroundOwners.set(stored.metadata.uid!, { type, object: stored })
        for (const [depType, dependent] of this.dependentsOf(stored)) this.deleteQuietly(depType, dependent, 'Background')
        queueMicrotask(() => this.finishForegroundDeletions())
      }
      if (graceful && finalizers.length === 0) this.onPodTerminating(clone(stored))
      return { body: this.withKind(type, clone(stored)), warnings }
    }
    this.store.remove(type, current)
    if (policy !== 'Orphan') this.collectDependents(current)
    if (type.group === '' && type.kind === 'Namespace') {
      // The namespace controller's work, done at once: everything in it goes too.
      for (const [memberType, member] of [...this.store.all()]) {
        if (memberType.namespaced && member.metadata.namespace === name) this.deleteQuietly(memberType, member, 'Background')
      }
    }
    // Pods answer with the deleted object, other resources with a Success Status.
    const body = type.group === '' && type.kind === 'Pod' ? this.withKind(type, clone(current)) : successStatus(type, name, current.metadata.uid)
    return { body, warnings }
  }

  /** Removes a pod whose containers have stopped (the kubelet's final step of a graceful delete). */
  finalizePod(namespace: string, name: string, uid: string): void {
    const pods = this.registry.lookup('pods')
    const pod = this.store.get(pods, namespace, name)
    if (!pod || pod.metadata.uid !== uid || !pod.metadata.deletionTimestamp) return
    if ((pod.metadata.finalizers ?? []).length > 0) return
    this.store.remove(pods, pod)
  }

  private deleteQuietly(type: ResourceType, object: KubeObject, policy: PropagationPolicy): void {
    try {
      this.delete(type, object.metadata.namespace, object.metadata.name!, { propagationPolicy: policy })
    } catch (error) {
      if (!(error instanceof KubeError && error.code === 404)) throw error
    }
  }

  private dependentsOf(owner: KubeObject): [ResourceType, KubeObject][] {
    return this.store.dependents(owner.metadata.uid!)
  }

  /** Background garbage collection: dependents whose owners are all gone are deleted. */
  private collectDependents(owner: KubeObject): void {
    setImmediate(() => {
      for (const [type, dependent] of this.dependentsOf(owner)) {
        const liveOwners = (dependent.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== owner.metadata.uid && this.ownerExists(ref.uid))
        if (liveOwners.length === 0) this.deleteQuietly(type, dependent, 'Background')
        else {
          const updated = clone(dependent)
          updated.metadata.ownerReferences = liveOwners
          this.store.update(type, updated)
        }
      }
    })
  }

  private ownerExists(uid: string): boolean {
    return this.store.byUidOf(uid) !== undefined
  }

  private finishForegroundDeletions(): void {
    for (const [uid, { type, object }] of this.foregroundOwners) {
      if (this.dependentsOf(object).length > 0) continue
      this.foregroundOwners.delete(uid)
      const current = this.store.get(type, object.metadata.namespace, object.metadata.name!)
      if (!current || current.metadata.uid !== uid) continue
      const updated = clone(current)
      updated.metadata.finalizers = (updated.metadata.finalizers ?? []).filter((f) => f !== 'foregroundDeletion')
      if (updated.metadata.finalizers.length === 0) this.store.remove(type, updated)
      else this.store.update(type, updated)
    }
  }

  /** A CustomResourceDefinition created through the API serves its resource, as on a cluster. */
  private registerDefinition(crd: KubeObject): void {
    const spec = crd.spec ?? {}
    for (const version of spec.versions ?? []) {
      if (version.served === false) continue
      this.registry.register({
        group: spec.group,
        version: version.name,
        kind: spec.names?.kind,
        plural: spec.names?.plural,
        singular: spec.names?.singular,
        shortNames: spec.names?.shortNames,
        namespaced: spec.scope !== 'Cluster',
        statusSubresource: version.subresources?.status !== undefined,
        printerColumns: version.additionalPrinterColumns,
        custom: true,
      })
    }
  }
}

function stripKind(object: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object
  return rest as KubeObject
}

function stripVersion(object: KubeObject): unknown {
  const copy = clone(object)
  delete copy.metadata.resourceVersion
  delete copy.kind
  delete copy.apiVersion
  return copy
}

/** Everything but metadata, status, kind and apiVersion: what generation counts changes of. */
function specOf(object: KubeObject): unknown {
  const { metadata: _metadata, status: _status, kind: _kind, apiVersion: _apiVersion, ...rest } = object
  return rest
}
