import os from 'node:os'

/** What the numbers were measured on; timings mean little without it. */
export interface MachineDescription {
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly platform: string
  readonly memory_gib: number
  /** 1-minute load average when the benchmark started: other work on the machine skews timings. */
  readonly load_average_1m: number
}

export function describeMachine(): MachineDescription {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    load_average_1m: Math.round(os.loadavg()[0]! * 100) / 100,
  }
}

/** One line, in the anchor's style: "2 CPU (Intel(R) Xeon(R) Processor), Linux 6.18.44". */
export function machineLine(machine: MachineDescription): string {
  return `${machine.cores} CPU (${machine.cpu}), ${machine.platform}, ${machine.memory_gib} GiB RAM, Node ${machine.node}, load average ${machine.load_average_1m} at start`
}
