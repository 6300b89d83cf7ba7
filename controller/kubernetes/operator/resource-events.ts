import { hostname } from 'node:os'
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node'
import { EXPERIMENT_API_VERSION, EXPERIMENT_KIND } from '../../../core/spec/index.ts'
import { kubeErrorMessage } from '../kube-error.ts'
import type { ExperimentResourceRef } from './experiment-resource.ts'

const COMPONENT = 'tunewell-operator'

/**
 * core/v1 Events on Experiment resources: what `kubectl describe experiment` and `kubectl get
 * events` show, for what the operator did not do (an edit it refused). Best effort: an Event
 * that cannot be written is logged, never an error of the sync.
 */
export class ResourceEvents {
  readonly #core: CoreV1Api
  readonly #log: (message: string) => void

  constructor(kubeConfig: KubeConfig, log: (message: string) => void) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api)
    this.#log = log
  }

  async warn(resource: ExperimentResourceRef, reason: string, message: string): Promise<void> {
    const now = new Date()
    try {
      await this.#core.createNamespacedEvent({
        namespace: resource.namespace,
        body: {
          metadata: { generateName: `${resource.name}.`, namespace: resource.namespace },
          involvedObject: { apiVersion: EXPERIMENT_API_VERSION, kind: EXPERIMENT_KIND, namespace: resource.namespace, name: resource.name, uid: resource.uid },
          type: 'Warning',
          reason,
          // The API server refuses Events whose message is over 1 KiB.
          message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
          source: { component: COMPONENT },
          reportingComponent: COMPONENT,
          reportingInstance: hostname(),
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
    } catch (error) {
      this.#log(`cannot write the event ${reason} on Experiment ${resource.namespace}/${resource.name}: ${kubeErrorMessage(error)}`)
    }
  }
}
