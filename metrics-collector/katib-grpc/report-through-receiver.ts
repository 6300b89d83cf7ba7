import type { PushedValue } from '../parse-push-body.ts'
import { TrialNotHereError, type PushReceiver } from '../push-receiver.ts'
import { GrpcCode, GrpcError } from './grpc-status.ts'

/**
 * KatibDbManagerBackend.report through a push receiver: a gRPC report then takes the path of an
 * HTTP push with the trial's token (steps numbered by the one counter per trial, sent on to the
 * replica that runs the trial), and the push's answer becomes a gRPC status.
 */
export function reportThroughReceiver(receiver: Pick<PushReceiver, 'deliver'>): (trialName: string, values: readonly PushedValue[]) => Promise<void> {
  return async (trialName, values) => {
    const outcome = await receiver.deliver(trialName, values)
    if (outcome.status >= 200 && outcome.status < 300) return
    const why = outcome.cause ?? outcome.error ?? `answered ${outcome.status}`
    // 404: no such trial; 410: it has finished; notRunning: not a trial of this process.
    if (outcome.notRunning || outcome.status === 404 || outcome.status === 410) throw new TrialNotHereError(why)
    if (outcome.status === 400 || outcome.status === 413) throw new GrpcError(GrpcCode.INVALID_ARGUMENT, why)
    if (outcome.status === 401 || outcome.status === 403) throw new GrpcError(GrpcCode.PERMISSION_DENIED, why)
    // 503 and the rest: nothing was stored, the SDK's caller reports again.
    throw new Error(why)
  }
}
