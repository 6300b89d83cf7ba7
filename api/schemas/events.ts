import { Type } from 'typebox'

export const EventStreamQuery = Type.Object({
  lastEventId: Type.Optional(Type.Integer({
    minimum: 0, maximum: Number.MAX_SAFE_INTEGER,
    description: 'replay events after this id first, for clients that cannot set the Last-Event-ID header; the header wins when both are sent',
  })),
  token: Type.Optional(Type.String({
    minLength: 1, maxLength: 4096,
    description: 'bearer token, for EventSource, which cannot send an Authorization header (only on the event routes, only when the server has tokens)',
  })),
})

export const EventStreamHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({
    pattern: '^[0-9]{1,15}$',
    description: 'id of the last event received (EventSource sends it when it reconnects): what came after it is replayed first',
  })),
})

/** Documents the stream's events; the answer itself is text/event-stream. */
export const EventStreamSchema = Type.String({
  description: 'text/event-stream. Each event: `id:` (the event id), `event:` (its type, e.g. trial:state-changed), `data:` JSON ' +
    '{ id, type, experiment, trial, payload, at }. `: ping` comments every 15 s; `event: replay-truncated` (no id) when more was ' +
    'missed than is replayed.',
})
