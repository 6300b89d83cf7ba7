import { decodeString, MessageWriter, readFields } from './protobuf-wire.ts'

/**
 * The messages of Katib's DBManager service that trials and the SDK use (package api.v1.beta1,
 * pkg/apis/manager/v1beta1/api.proto), with the same field numbers:
 *
 *   message Metric { string name = 1; string value = 2; }
 *   message MetricLog { string time_stamp = 1; Metric metric = 2; }          // RFC 3339
 *   message ObservationLog { repeated MetricLog metric_logs = 1; }
 *   message ReportObservationLogRequest { string trial_name = 1; ObservationLog observation_log = 2; }
 *   message GetObservationLogRequest { string trial_name = 1; string metric_name = 2; string start_time = 3; string end_time = 4; }
 *   message GetObservationLogReply { ObservationLog observation_log = 1; }
 *   message DeleteObservationLogRequest { string trial_name = 1; }
 *   ReportObservationLogReply, DeleteObservationLogReply: empty.
 */
export interface KatibMetricLog {
  readonly timeStamp: string
  readonly name: string
  /** As sent: Katib keeps the text, the SDK sends Python's str(value). */
  readonly value: string
}

export interface ReportObservationLogRequest {
  readonly trialName: string
  readonly metricLogs: readonly KatibMetricLog[]
}

export interface GetObservationLogRequest {
  readonly trialName: string
  readonly metricName: string
  readonly startTime: string
  readonly endTime: string
}

export interface DeleteObservationLogRequest {
  readonly trialName: string
}

export function decodeReportObservationLogRequest(buf: Uint8Array): ReportObservationLogRequest {
  let trialName = ''
  const metricLogs: KatibMetricLog[] = []
  for (const f of readFields(buf)) {
    if (f.number === 1 && f.bytes) trialName = decodeString(f.bytes)
    else if (f.number === 2 && f.bytes) metricLogs.push(...decodeObservationLog(f.bytes))
  }
  return { trialName, metricLogs }
}

export function decodeGetObservationLogRequest(buf: Uint8Array): GetObservationLogRequest {
  const text = ['', '', '', '', '']
  for (const f of readFields(buf)) if (f.number >= 1 && f.number <= 4 && f.bytes) text[f.number] = decodeString(f.bytes)
  return { trialName: text[1]!, metricName: text[2]!, startTime: text[3]!, endTime: text[4]! }
}

export function decodeDeleteObservationLogRequest(buf: Uint8Array): DeleteObservationLogRequest {
  let trialName = ''
  for (const f of readFields(buf)) if (f.number === 1 && f.bytes) trialName = decodeString(f.bytes)
  return { trialName }
}

/** GetObservationLogReply { observation_log } (the log is sent even when empty, as Go's server does). */
export function encodeGetObservationLogReply(logs: readonly KatibMetricLog[]): Uint8Array {
  return new MessageWriter().message(1, encodeObservationLog(logs), true).finish()
}

export function encodeReportObservationLogRequest(request: ReportObservationLogRequest): Uint8Array {
  return new MessageWriter().string(1, request.trialName).message(2, encodeObservationLog(request.metricLogs), true).finish()
}

export function encodeGetObservationLogRequest(request: GetObservationLogRequest): Uint8Array {
  return new MessageWriter()
    .string(1, request.trialName)
    .string(2, request.metricName)
    .string(3, request.startTime)
    .string(4, request.endTime)
    .finish()
}

export function decodeGetObservationLogReply(buf: Uint8Array): KatibMetricLog[] {
  const logs: KatibMetricLog[] = []
  for (const f of readFields(buf)) if (f.number === 1 && f.bytes) logs.push(...decodeObservationLog(f.bytes))
  return logs
}

function decodeObservationLog(buf: Uint8Array): KatibMetricLog[] {
  const logs: KatibMetricLog[] = []
  for (const f of readFields(buf)) {
    if (f.number !== 1 || !f.bytes) continue
    let timeStamp = ''
    let name = ''
    let value = ''
    for (const g of readFields(f.bytes)) {
      if (g.number === 1 && g.bytes) timeStamp = decodeString(g.bytes)
      else if (g.number === 2 && g.bytes) {
        for (const h of readFields(g.bytes)) {
          if (h.number === 1 && h.bytes) name = decodeString(h.bytes)
          else if (h.number === 2 && h.bytes) value = decodeString(h.bytes)
        }
      }
    }
    logs.push({ timeStamp, name, value })
  }
  return logs
}

function encodeObservationLog(logs: readonly KatibMetricLog[]): Uint8Array {
  const log = new MessageWriter()
  for (const l of logs) {
    const metric = new MessageWriter().string(1, l.name).string(2, l.value).finish()
    log.message(1, new MessageWriter().string(1, l.timeStamp).message(2, metric).finish(), true)
  }
  return log.finish()
}
