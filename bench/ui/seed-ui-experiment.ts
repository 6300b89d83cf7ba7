import type pg from 'pg'
import { createBenchExperiment, experimentId } from '../api/create-bench-experiment.ts'

export interface UiExperimentSize {
  readonly trials: number
  readonly stepsPerTrial: number
}

/**
 * A finished experiment as the dashboard would see it after a long run: `trials` trials over four
 * parameters of every kind (log-uniform double, double, int, categorical), mostly Succeeded with
 * some Failed and EarlyStopped, each with a learning curve of `stepsPerTrial` points of loss.
 * Created through the API (so the spec is the server's), filled by PostgreSQL with
 * generate_series (seeding a million points through the API would measure the seeding). The
 * objective depends mostly on lr, then optimizer, barely on momentum and not on layers, so the
 * importance chart has a known answer to show.
 */
export async function seedUiExperiment(server: string, pool: pg.Pool, name: string, size: UiExperimentSize): Promise<void> {
  await createBenchExperiment(server, name, 8, {
    maxTrialCount: size.trials,
    parameters: [
      { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.00001', max: '0.1', distribution: 'logUniform' } },
      { name: 'momentum', parameterType: 'double', feasibleSpace: { min: '0', max: '0.99' } },
      { name: 'layers', parameterType: 'int', feasibleSpace: { min: '1', max: '8' } },
      { name: 'optimizer', parameterType: 'categorical', feasibleSpace: { list: ['sgd', 'adam', 'rmsprop'] } },
    ],
  })
  const id = await experimentId(server, name)
  await pool.query('select setseed(0.17)')
  await pool.query(
    `insert into trials (id, experiment_id, number, name, state, params, objective, metrics, reason, message, created_at, started_at, finished_at)
     select gen_random_uuid()::text, $1, n, $2 || '-' || lpad(to_hex(n * 7919 + 4096), 8, '0'), state,
            jsonb_build_object('lr', lr, 'momentum', momentum, 'layers', layers, 'optimizer', optimizer),
            case when state = 'Failed' then null else loss end,
            case when state = 'Failed' then null else jsonb_build_object(
              'loss', jsonb_build_object('min', loss, 'max', loss + 1, 'latest', loss),
              'accuracy', jsonb_build_object('min', 0, 'max', 1 - loss / 4, 'latest', 1 - loss / 4)) end,
            case state when 'Failed' then 'TrialFailed' when 'EarlyStopped' then 'TrialEarlyStopped' else 'TrialSucceeded' end,
            case when state = 'Failed' then 'exit code 1' else null end,
            now() - make_interval(secs => ($3 - n) * 30), now() - make_interval(secs => ($3 - n) * 30 - 2), now() - make_interval(secs => ($3 - n) * 30 - 200)
     from (
       select n, lr, momentum, layers, optimizer, state,
              ((log(lr) + 3) ^ 2) / 4 + case optimizer when 'sgd' then 0.4 when 'rmsprop' then 0.1 else 0 end + 0.05 * momentum + 0.1 * random() as loss
       from (
         select n, power(10, -5 + 4 * random()) as lr, round((0.99 * random())::numeric, 4)::float8 as momentum, 1 + floor(8 * random())::int as layers,
                (array['sgd', 'adam', 'rmsprop'])[1 + floor(3 * random())::int] as optimizer,
                case when random() < 0.04 then 'Failed' when random() < 0.08 then 'EarlyStopped' else 'Succeeded' end as state
         from generate_series(0, $3 - 1) as n
       ) as drawn
     ) as s`,
    [id, name, size.trials],
  )
  // A learning curve per trial: decaying towards its final loss, with noise.
  await pool.query(
    `insert into observations (trial_id, experiment_id, metric_name, step, value, recorded_at)
     select t.id, t.experiment_id, 'loss', s.step, coalesce(t.objective, 1) + 2 * exp(-s.step / 15.0) + 0.05 * random(), t.started_at + make_interval(secs => s.step)
     from trials t cross join generate_series(0, $2 - 1) as s(step)
     where t.experiment_id = $1`,
    [id, size.stepsPerTrial],
  )
  await pool.query(
    `update experiments set state = 'Succeeded', reason = 'ExperimentMaxTrialsReached', message = 'seeded by bench:ui', completed_at = now(),
       started_at = now() - make_interval(secs => $2 * 30),
       best_trial_id = (select id from trials where experiment_id = $1 and state = 'Succeeded' order by objective limit 1)
     where id = $1`,
    [id, size.trials],
  )
  await pool.query('analyze trials')
  await pool.query('analyze observations')
}
