import type { JsonSchema } from './to-structural-schema.ts'

/**
 * Namespace and Event of core/v1 as far as `tunewell serve` writes them (api/kube/core/), for
 * `kubectl explain namespace` and `kubectl explain events`; descriptions shortened from
 * Kubernetes' own.
 */
const text = (description: string): JsonSchema => ({ type: 'string', description })

const OBJECT_REFERENCE: JsonSchema = {
  type: 'object',
  description: 'ObjectReference contains enough information to let you inspect or modify the referred object.',
  properties: {
    apiVersion: text('API version of the referent.'),
    fieldPath: text('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
    kind: text('Kind of the referent.'),
    name: text('Name of the referent.'),
    namespace: text('Namespace of the referent.'),
    resourceVersion: text('Specific resourceVersion to which this reference is made, if any.'),
    uid: text('UID of the referent.'),
  },
  'x-kubernetes-map-type': 'atomic',
}

const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Namespace: {
    type: 'object',
    description: 'Namespace provides a scope for Names. Here: a namespace experiments use (and default).',
    properties: {
      spec: { type: 'object', description: 'Spec defines the behavior of the Namespace.', properties: { finalizers: { type: 'array', items: { type: 'string' }, description: 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.' } } },
      status: { type: 'object', description: 'Status describes the current status of a Namespace.', properties: { phase: text('Phase is the current lifecycle phase of the namespace: Active.') } },
    },
  },
  Event: {
    type: 'object',
    description: 'Event is a report of an event somewhere in the cluster. Here: a change of an Experiment or Trial, from the event store.',
    required: ['metadata', 'involvedObject'],
    properties: {
      involvedObject: { ...OBJECT_REFERENCE, description: 'The object that this event is about.' },
      reason: text('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
      message: text('A human-readable description of the status of this operation.'),
      source: { type: 'object', description: 'The component reporting this event.', properties: { component: text('Component from which the event is generated.'), host: text('Node name on which the event is generated.') } },
      firstTimestamp: { type: 'string', format: 'date-time', description: 'The time at which the event was first recorded.' },
      lastTimestamp: { type: 'string', format: 'date-time', description: 'The time at which the most recent occurrence of this event was recorded.' },
      count: { type: 'integer', format: 'int32', description: 'The number of times this event has occurred.' },
      type: text('Type of this event (Normal, Warning).'),
      eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
      reportingComponent: text('Name of the controller that emitted this Event.'),
      reportingInstance: text('ID of the controller instance.'),
    },
  },
}

export function coreSchema(kind: string): JsonSchema {
  const schema = SCHEMAS[kind]
  if (schema === undefined) throw new Error(`no core/v1 schema for ${kind}`)
  return schema
}
