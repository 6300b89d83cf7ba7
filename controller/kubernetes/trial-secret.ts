import type { JsonObject as Json } from './walk-objects.ts'

/** The key of the push token in a trial's Secret. */
export const TOKEN_KEY = 'token'

/** Deterministic, from the trial's name (at most 63 characters; a Secret's name may have 253): a repeated create is a 409. */
export function trialSecretName(trialName: string): string {
  return `${trialName}-report-token`
}

/**
 * The Secret that holds a trial's push token: the workload's containers read it through
 * env valueFrom secretKeyRef, so the token never stands in the workload's spec (which anyone
 * who may read Jobs can see). Labelled as the workload is; the executor makes the workload its
 * owner once that exists, so deleting the workload deletes it.
 */
export function trialSecret(name: string, namespace: string, labels: Readonly<Record<string, string>>, token: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { ...labels } },
    type: 'Opaque',
    data: { [TOKEN_KEY]: Buffer.from(token, 'utf8').toString('base64') },
  }
}

/** An env entry that takes the token from the Secret. */
export function tokenEnv(envName: string, secretName: string): Json {
  return { name: envName, valueFrom: { secretKeyRef: { name: secretName, key: TOKEN_KEY } } }
}
