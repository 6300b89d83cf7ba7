import { Command, CommanderError, Option } from 'commander'
import { TunewellError, InvalidSpecError } from '../core/errors.ts'
import { isDatabaseUnavailable } from '../db/is-database-unavailable.ts'
import type { ExecutorFlags } from './create-executor.ts'
import { registerServerCommands } from './server-commands.ts'
import { withServerOptions } from './server-options.ts'

const EXECUTOR_OPTION = ['--executor <kind>', 'where trials run: local (child processes of this one) or kubernetes (workloads on the cluster of the kubeconfig) (default: TUNEWELL_EXECUTOR, else local)'] as const
const CONTEXT_OPTION = ['--context <name>', 'with --executor kubernetes: the kubeconfig context to use (default: its current-context)'] as const
const COLLECTOR_IMAGE_OPTION = ['--collector-image <image>', 'with --executor kubernetes: the image of the File, TensorFlowEvent and PrometheusMetric collector sidecar, which runs `tunewell collect` (default: TUNEWELL_COLLECTOR_IMAGE, else the Tunewell image of this version)'] as const
const KATIB_GRPC_PORT_OPTION = ['--katib-grpc-port <port>', 'with --executor kubernetes and --report-url: also serve Katib\'s DBManager gRPC API on this port, so pods\' kubeflow.katib.report_metrics() reports here (Katib\'s is 6789; default: TUNEWELL_KATIB_GRPC_PORT, else not served)'] as const
const REPORT_URL_OPTION = ['--report-url <url>', 'with --executor kubernetes: the address pods use to reach this controller for Push metrics, e.g. http://10.0.0.5:8081; it listens on that port (default: TUNEWELL_REPORT_URL)'] as const

function executorFlags(opts: ExecutorFlags): ExecutorFlags {
  return {
    ...(opts.executor !== undefined ? { executor: opts.executor } : {}),
    ...(opts.context !== undefined ? { context: opts.context } : {}),
    ...(opts.reportUrl !== undefined ? { reportUrl: opts.reportUrl } : {}),
    ...(opts.collectorImage !== undefined ? { collectorImage: opts.collectorImage } : {}),
    ...(opts.katibGrpcPort !== undefined ? { katibGrpcPort: opts.katibGrpcPort } : {}),
  }
}

/**
 * The composition root. Every failure the user can fix ends here as a message and an exit
 * code, never a stack trace: 2 for bad input, 3 for the environment (database), 1 otherwise.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0
  const program = new Command()
    .name('tunewell')
    .description('Hyperparameter tuning for Katib Experiment YAML, on this machine')
    .exitOverride()
  program
    .command('run')
    .description('run an experiment to completion, its trials local processes or workloads on a cluster (resumes if it exists)')
    .argument('<file>', 'Experiment YAML')
    .option('--fresh', 'discard an existing experiment of the same name and start over')
    .option('--wait-for-lease', 'while another process runs this experiment, wait for it to finish or die instead of exiting with code 4')
    .option('--more <n>', 'add n trials to the experiment (finished or not, whatever its resumePolicy) and run them, keeping its history')
    .option('--from <experiment>', 'warm start: a new experiment\'s algorithm starts with the succeeded trials of this experiment (same objective, compatible parameters) as history')
    .option('--home <dir>', 'folder that holds .tunewell/ (embedded database, trial logs)', process.cwd())
    .option('--ui', 'also serve the API and the dashboard on loopback while it runs; prints the experiment page URL')
    .option('--ui-wait', 'with --ui (implied): keep serving after the run ends, until Ctrl-C')
    .option('--port <port>', 'with --ui: port to listen on; 0 picks a free one (default: TUNEWELL_PORT, else 8080)')
    .option('--host <host>', 'with --ui: loopback address to listen on (default: 127.0.0.1)')
    .option('--max-parallel-trials <n>', 'refuse an experiment whose parallelTrialCount is above this (default: TUNEWELL_MAX_PARALLEL_TRIALS, else 256)')
    .option('--db-outage-limit <seconds>', 'how long PostgreSQL may be unreachable while trials keep running before run gives up with exit 3 (default: TUNEWELL_DB_OUTAGE_LIMIT, else 300)')
    .option(...EXECUTOR_OPTION)
    .option(...CONTEXT_OPTION)
    .option(...REPORT_URL_OPTION)
    .option(...KATIB_GRPC_PORT_OPTION)
    .option(...COLLECTOR_IMAGE_OPTION)
    .action(async (file: string, opts: { fresh?: boolean; waitForLease?: boolean; more?: string; from?: string; home: string; ui?: boolean; uiWait?: boolean; port?: string; host?: string; maxParallelTrials?: string; dbOutageLimit?: string } & ExecutorFlags) => {
      const ui = opts.ui === true || opts.uiWait === true
      if (!ui && (opts.port !== undefined || opts.host !== undefined)) {
        process.stderr.write('error: --port and --host only apply with --ui\n')
        code = 2
        return
      }
      // Loaded by the command that needs it: the server commands start in a fraction of the time.
      const { runCommand } = await import('./run-command.ts')
      code = await runCommand(file, {
        fresh: opts.fresh ?? false,
        home: opts.home,
        waitForLease: opts.waitForLease ?? false,
        ...(opts.more !== undefined ? { more: opts.more } : {}),
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        ...(opts.maxParallelTrials !== undefined ? { maxParallelTrials: opts.maxParallelTrials } : {}),
        ...(opts.dbOutageLimit !== undefined ? { outageLimit: opts.dbOutageLimit } : {}),
        ...executorFlags(opts),
        ...(ui ? { ui: { wait: opts.uiWait ?? false, ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.host !== undefined ? { host: opts.host } : {}) } } : {}),
      })
    })
  program
    .command('validate')
    .description('check Experiment files without running them')
    .argument('<files...>', 'Experiment YAML files')
    .action(async (files: string[]) => {
      const { validateCommand } = await import('./validate-command.ts')
      code = await validateCommand(files, process.stdout, process.stderr)
    })
  program
    .command('serve')
    .description('run the HTTP API and the controller: experiments submitted over the API run here (see docs/api.md)')
    .option('--host <host>', 'interface to listen on (default: TUNEWELL_HOST, else 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: TUNEWELL_PORT, else 8080)')
    .option('--home <dir>', 'folder that holds .tunewell/ (embedded database, trial logs); relative trial commands resolve here', process.cwd())
    .option('--tokens <file>', 'bearer tokens, one "<token> admin|read" per line (TUNEWELL_TOKEN adds an admin token)')
    .option('--allowed-hosts <names>', 'comma-separated host names the server answers to besides loopback (and IP addresses beyond it), e.g. a reverse proxy\'s; * for any (default: TUNEWELL_ALLOWED_HOSTS)')
    .option('--allow-unauthenticated', 'listen beyond loopback without any token: whoever reaches the port may submit and stop experiments')
    .option('--local-execution', 'run the trialTemplate commands of submitted experiments on this machine (default: only on loopback)')
    .option('--no-local-execution', 'never run trialTemplate commands; such experiments wait in Created')
    .option('--body-limit <bytes>', 'largest request body accepted', '1048576')
    .option('--no-dashboard', 'serve the API only, no dashboard at /')
    .option('--heartbeat-timeout <seconds>', 'ask/tell: a trial whose worker is silent this long is handed to another worker', '300')
    .option('--max-parallel-trials <n>', 'refuse experiments whose parallelTrialCount is above this (default: TUNEWELL_MAX_PARALLEL_TRIALS, else 256)')
    .addOption(new Option('--log-level <level>', 'how much the server logs (to stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug']).default('info'))
    .option(...EXECUTOR_OPTION)
    .option(...CONTEXT_OPTION)
    .option(...REPORT_URL_OPTION)
    .option(...KATIB_GRPC_PORT_OPTION)
    .option(...COLLECTOR_IMAGE_OPTION)
    .option('--watch-experiments', 'operator mode (with --executor kubernetes): run the cluster\'s Experiment resources (kubeflow.org/v1beta1) and write Katib\'s status back to them')
    .option('--namespaces <names>', 'with --watch-experiments: only the Experiments of these comma-separated namespaces (default: TUNEWELL_WATCH_NAMESPACES, else all)')
    .option('--tls-cert <file>', 'serve https with this PEM certificate (with --tls-key; default: TUNEWELL_TLS_CERT); kubectl sends tokens only over https')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (default: TUNEWELL_TLS_KEY)')
    .action(async (opts: {
      host?: string; port?: string; home: string; tokens?: string; allowedHosts?: string; allowUnauthenticated?: boolean
      localExecution?: boolean; bodyLimit: string; logLevel: string; heartbeatTimeout: string; dashboard: boolean; maxParallelTrials?: string
      watchExperiments?: boolean; namespaces?: string; tlsCert?: string; tlsKey?: string
    } & ExecutorFlags) => {
      const { serveCommand } = await import('./serve-command.ts')
      code = await serveCommand(opts, process.stdout, process.stderr)
    })
  program
    .command('collect')
    .description('the File, TensorFlowEvent and PrometheusMetric metrics collector beside a trial on a cluster: reads its metrics as they grow (or scrapes its endpoint) and pushes them to TUNEWELL_REPORT_URL until SIGTERM (see docs/kubernetes.md)')
    .option('--metrics-file <path>', 'File collector: the metrics file the trial writes')
    .option('--format <format>', 'with --metrics-file: TEXT or JSON (default: TEXT)')
    .option('--filter <regex>', 'with --metrics-file TEXT: a metricsFormat filter (name group, value group); repeat for several', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--tfevent-dir <dir>', 'TensorFlowEvent collector: the folder of the event files')
    .option('--scrape-url <url>', 'PrometheusMetric collector: the trial\'s metrics endpoint, e.g. http://127.0.0.1:8080/metrics (the pod\'s own network)')
    .option('--metric <name>', 'a metric to collect, the objective first; repeat for several', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--progress-file <path>', 'where the count of pushed points (with --scrape-url: the steps numbered) survives a restart (default: beside the metrics file; none for --scrape-url)')
    .option('--ready-file <path>', 'written once SIGTERM is handled (the sidecar\'s startup probe)')
    .option('--poll-ms <ms>', 'how often the metrics are read or scraped (default: 1000; with --scrape-url 5000)')
    .option('--drain-timeout <seconds>', 'after SIGTERM, how long to keep trying to push what is left (default: 20)')
    .option('--first-step <n>', 'where steps the trial does not give are counted from: its parent\'s last step + 1 for a trial that continues another (default: 0)')
    .action(async (opts: import('./collect-command.ts').CollectFlags) => {
      const { collectCommand } = await import('./collect-command.ts')
      code = await collectCommand(opts, process.stderr)
    })
  withServerOptions(program
    .command('kubeconfig')
    .description('print a kubeconfig for a tunewell server, so kubectl and Kubernetes clients reach its kubeflow.org/v1beta1 API: tunewell kubeconfig > kc; KUBECONFIG=kc kubectl get experiments (see docs/kubectl.md)')
    .option('--namespace <name>', 'the context\'s default namespace', 'default')
    .option('--context <name>', 'name of the context, cluster and user in the file', 'tunewell')
    .option('--certificate-authority <file>', 'for an https server: PEM of the CA that signed its certificate, embedded in the file')
    .option('--insecure-skip-tls-verify', 'for an https server: do not check its certificate'), false)
    .action(async (opts: import('./kubeconfig-command.ts').KubeconfigOptions) => {
      const { kubeconfigCommand } = await import('./kubeconfig-command.ts')
      code = kubeconfigCommand(opts, { out: process.stdout, err: process.stderr })
    })
  registerServerCommands(program, (exitCode) => {
    code = exitCode
  })
  try {
    await program.parseAsync([...argv])
    return code
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    if (error instanceof InvalidSpecError) {
      process.stderr.write(`${error.message}\n${error.issues.length} problem(s) found\n`)
      return 2
    }
    if (error instanceof TunewellError) {
      process.stderr.write(`error: ${error.message}\n`)
      return error.code === 'DATABASE_UNAVAILABLE' ? 3 : 1
    }
    if (isDatabaseUnavailable(error)) {
      process.stderr.write(`error: the database became unreachable (${(error as Error).message}). ` +
        'Everything done so far is stored: run the same command again once it is back.\n')
      return 3
    }
    const detail = process.env.TUNEWELL_DEBUG ? (error as Error)?.stack : (error as Error)?.message
    process.stderr.write(`unexpected error: ${detail ?? String(error)}\n(set TUNEWELL_DEBUG=1 for the stack trace; state is in the database, so the same command resumes)\n`)
    return 1
  }
}
