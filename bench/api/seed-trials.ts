import type pg from 'pg'

/**
 * Appends `count` finished trials to an experiment in one statement (generate_series), with
 * objectives and parameters drawn by PostgreSQL: seeding 100k trials through the API would
 * measure the seeding, not the query under test. Rows look like the controller's own
 * (`Succeeded`, params x1/x2 in [0, 1], objective = their value).
 */
export async function seedTrials(pool: pg.Pool, experimentId: string, experimentName: string, count: number): Promise<void> {
  await pool.query('select setseed(0.42)')
  await pool.query(
    `insert into trials (id, experiment_id, number, name, state, params, objective, metrics, reason, message, created_at, started_at, finished_at)
     select gen_random_uuid()::text, $1, n, $2 || '-s' || n, 'Succeeded',
            jsonb_build_object('x1', x1, 'x2', x2), x1 * x1 + x2,
            jsonb_build_object('loss', jsonb_build_object('min', x1 * x1 + x2, 'max', x1 * x1 + x2, 'latest', x1 * x1 + x2)),
            'TrialSucceeded', 'seeded by bench:api',
            now() - make_interval(secs => $3 - n), now() - make_interval(secs => $3 - n), now() - make_interval(secs => $3 - n - 0.5)
     from (select n, random() as x1, random() as x2 from generate_series(0, $3 - 1) as n) as s`,
    [experimentId, experimentName, count],
  )
  await pool.query('analyze trials')
}
