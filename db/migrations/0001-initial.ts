import { sql, type Kysely, type RawBuilder } from 'kysely'

/**
 * The schema of Tunewell 0.1, in one migration. A later change is a new migration after this
 * one: a migration that has run somewhere is frozen history. For that reason the state lists
 * are spelled out here rather than imported from core/ (a new state means a new migration that
 * replaces the CHECK).
 *
 * Ids are `crypto.randomUUID()` stored as text, so a malformed id in a lookup is "not found",
 * not a cast error. Deleting an experiment deletes everything of it through the cascades.
 */
const TABLES: readonly RawBuilder<unknown>[] = [
  sql`create table experiments (
    id text primary key,
    name text not null unique,
    -- The validated Experiment document with defaults applied.
    spec jsonb not null,
    state text not null,
    reason text,
    message text,
    seed bigint not null,
    -- Its foreign key is added below, once trials exist.
    best_trial_id text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    completed_at timestamptz,
    constraint experiments_state_check check (state in ('Created', 'Running', 'Restarting', 'Succeeded', 'Failed'))
  )`,

  sql`create table trials (
    id text primary key,
    experiment_id text not null references experiments (id) on delete cascade,
    -- 0, 1, 2 ... within the experiment.
    number integer not null,
    -- <experiment>-<suffix>, unique across experiments.
    name text not null unique,
    state text not null,
    params jsonb not null,
    -- Picked by the metric strategy; NaN and ±Infinity round-trip.
    objective double precision,
    metrics jsonb,
    reason text,
    message text,
    -- The executor's handle, so a restarted controller finds the execution.
    execution jsonb,
    restarts integer not null default 0,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    -- Ask/tell (api/operations/trial-dispenser.ts). The key of the ask that holds the trial, so a
    -- retried ask gets it back instead of taking another (unique per experiment, see below).
    idempotency_key text,
    -- The last sign of life of its worker (ask, heartbeat, push). Only ask/tell trials have one,
    -- so only they are ever offered again as stale.
    heartbeat_at timestamptz,
    -- What the worker called itself, for people reading the trial.
    worker text,
    -- Lineage (hyperband promotions, pbt's exploit step): the trial this one continues, whose
    -- checkpoint the runner copies in before launch (controller/checkpoint-dir.ts); null for a
    -- fresh start. By name, as algorithms, the API and trial folders know trials; always a
    -- trial of the same experiment, so "set null" only matters for deletes by hand.
    parent_trial_name text references trials (name) on delete set null,
    -- 0 for a fresh start, the parent's + 1 otherwise: stored, so nothing walks the chain.
    generation integer not null default 0,
    -- Also serves "trials of an experiment by number", the number sort of the API's pages included.
    constraint trials_experiment_id_number_key unique (experiment_id, number),
    constraint trials_state_check check (state in ('Pending', 'Running', 'Succeeded', 'Failed', 'Killed', 'EarlyStopped', 'MetricsUnavailable'))
  )`,
  sql`alter table experiments add constraint experiments_best_trial_id_fkey
    foreign key (best_trial_id) references trials (id) on delete set null`,
  // The controller's and the claims' hot query: "Running (or Pending) trials of experiment X",
  // Pending ones by number. Claims and tells move trials Pending -> Running -> done many times a
  // second, and every move leaves a dead entry under the old state. With equal keys, btree
  // deduplication would pack dead and live entries of one (experiment, state) into posting lists
  // that scans can never mark dead, so every count would wade through all of them until a
  // vacuum; the number makes keys unique, so each scan marks what it found dead.
  sql`create index trials_experiment_id_state_number_idx on trials (experiment_id, state, number)`,
  sql`create unique index trials_experiment_id_idempotency_key_key on trials (experiment_id, idempotency_key)
    where idempotency_key is not null`,
  // The API's keyset-paginated lists (db/kysely/page-trials.ts, page-experiments.ts): each index
  // matches one sort exactly (equality prefix, sort key, tie-breaker), so a page is an index
  // range scan of `limit` rows wherever it starts. Objective nulls are read as a range of their
  // own (objective IS NULL, by number), so one ascending index serves both directions.
  sql`create index trials_experiment_id_objective_number_idx on trials (experiment_id, objective, number)`,
  sql`create index trials_experiment_id_created_at_number_idx on trials (experiment_id, created_at, number)`,
  sql`create index experiments_created_at_name_idx on experiments (created_at, name)`,

  // experiment_id is copied from the trial on append: pruners and the dashboard read one metric
  // across all trials of an experiment, and countForExperiment counts them; with the
  // (experiment_id, metric_name) index those are index scans instead of a join through trials.
  // It has no foreign key of its own: deleting an experiment reaches its observations through
  // its trials' cascade, and the check would lock the experiment row (the same row for every
  // point of every trial) on each inserted point, the dearest step of an ingest or a tell.
  sql`create table observations (
    trial_id text not null references trials (id) on delete cascade,
    experiment_id text not null,
    metric_name text not null,
    step integer not null,
    -- NaN and ±Infinity are stored as reported.
    value double precision not null,
    recorded_at timestamptz not null,
    constraint observations_pkey primary key (trial_id, metric_name, step)
  )`,
  sql`create index observations_experiment_id_metric_name_idx on observations (experiment_id, metric_name)`,

  // The suggester's opaque state; version is its compare-and-set token.
  sql`create table algorithm_states (
    experiment_id text primary key references experiments (id) on delete cascade,
    state jsonb not null,
    version integer not null
  )`,

  // Each state change writes its event in the transaction of the change (core/events.ts types them).
  sql`create table events (
    id bigserial primary key,
    experiment_id text not null references experiments (id) on delete cascade,
    trial_id text,
    type text not null,
    payload jsonb,
    at timestamptz not null default now()
  )`,
  sql`create index events_experiment_id_id_idx on events (experiment_id, id)`,

  // One controller per experiment (docs/reliability.md, "One controller per experiment"): whoever
  // holds an unexpired lease drives the experiment; every acquisition increments `epoch`, the
  // fencing token its writes are checked against (db/kysely/kysely-lease-store.ts). The row is
  // never deleted while its experiment exists, so epochs only grow; a released lease keeps its
  // holder (for messages) with `expires_at` in 1970. `holder` says who it is (host, pid, process
  // start time, command), for messages and for taking over at once from a holder on the same
  // machine whose process is gone.
  sql`create table experiment_leases (
    experiment_id text primary key references experiments (id) on delete cascade,
    holder_id text not null,
    holder jsonb not null,
    epoch bigint not null,
    acquired_at timestamptz not null,
    renewed_at timestamptz not null,
    expires_at timestamptz not null
  )`,
]

/**
 * `claim_ask_trials`: the asks of one experiment, answered in one call (KyselyTrialStore.claimByName,
 * for api/operations/trial-dispenser.ts), so that under load one round trip, one commit and one
 * lock of the experiment serve many asks.
 *
 * It finds the experiment by name and reads the limit (the spec's parallelTrialCount, else
 * `p_default_running`) under the KEY SHARE lock it takes first: before any trial row, and the
 * lock the event inserts' foreign key checks take anyway (taken after a trial row, it could
 * deadlock with a delete of the experiment, which locks the experiment, then its trials). So an
 * updated spec applies from the next ask on, and the server need not read the experiment first.
 *
 * Checking the limit and taking trials must be serialised per experiment. A PL/pgSQL function
 * because it is the only way to get both in one round trip with a correct count: each statement
 * of a volatile function takes a fresh snapshot, so the Running count read after the gate lock
 * sees every claim committed before it, where a single SQL statement would count with a snapshot
 * taken before waiting. The gate is an advisory lock, not the experiment row: creating
 * suggestions (which holds that row while the algorithm runs) then never blocks asks. Trials are
 * taken with SKIP LOCKED, so a stop or kill that holds one is passed over rather than waited for.
 *
 * Asks are answered in the order given, each row carrying its ask's position (`ordinal`, from 1;
 * rows come in no particular order) and the experiment's id and version (its row's xmin, which
 * changes with every update of the row, spec included, so the caller can keep what it derives
 * from the spec until it changes). Outcomes:
 * - `not-found`; `not-ask-tell` (the spec has a trialTemplate: the server runs its trials);
 *   `not-started` (Created or Restarting: the caller starts it and asks again);
 * - `existing`: the ask's idempotency key already holds a trial, in whatever state;
 * - `completed`: the experiment is Succeeded or Failed;
 * - `reoffered`: a Running trial whose heartbeat is older than `p_stale_seconds`, handed out
 *   again with restarts + 1, the points of its old attempt deleted (the new attempt starts from
 *   nothing, as a relaunched local trial does) and a `trial:restarted` event written;
 * - `claimed`: a Pending trial (lowest number first), now Running, with its `trial:state-changed`
 *   event; `pending` is what is left Pending after the batch;
 * - asks left over are `busy` when parallelTrialCount trials run, else `empty` (nothing Pending:
 *   create suggestions, ask again).
 * The events are written here so that they commit exactly with the claim. A key repeated within
 * a batch is the caller's to fold into one ask (the unique index would refuse the second).
 */
const CLAIM_ASK_TRIALS = sql`
  create function claim_ask_trials(p_name text, p_keys text[], p_workers text[], p_default_running integer, p_stale_seconds double precision)
  returns table (ordinal integer, outcome text, experiment_id text, experiment_version text, max_running integer,
    id text, number integer, name text, state text, params jsonb, restarts integer, pending integer)
  language plpgsql volatile as $$
  declare
    e record;
    n integer := coalesce(array_length(p_keys, 1), 0);
    p_max_running integer;
    answered integer[];
    waiting integer[];
    running integer;
    room integer;
    taken integer;
    gate constant integer := 1751478885;
  begin
    -- KEY SHARE before any trial row (see above).
    select x.id, x.state, x.xmin::text as version, x.spec -> 'spec' as spec into e
      from experiments x where x.name = p_name for key share;
    if not found then
      return query select i, 'not-found'::text, null::text, null::text, null::integer,
        null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer
        from generate_series(1, n) i;
      return;
    end if;
    p_max_running := coalesce((e.spec ->> 'parallelTrialCount')::integer, p_default_running);
    if coalesce(jsonb_typeof(e.spec -> 'trialTemplate'), 'null') <> 'null' or e.state in ('Created', 'Restarting') then
      return query select i,
        case when coalesce(jsonb_typeof(e.spec -> 'trialTemplate'), 'null') <> 'null' then 'not-ask-tell' else 'not-started' end,
        e.id, e.version, p_max_running,
        null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer
        from generate_series(1, n) i;
      return;
    end if;

    -- Keys that already hold a trial, whatever its state. A scalar subquery per key, not EXISTS:
    -- the generic plan guesses 100 keys and would hash-join them against every trial.
    select coalesce(array_agg(h.i), '{}') into answered from (
      select k.i::integer as i, (select t.id from trials t where t.experiment_id = e.id and t.idempotency_key = k.key) as held
      from unnest(p_keys) with ordinality k(key, i) where k.key is not null) h
      where h.held is not null;
    if cardinality(answered) > 0 then
      return query select k.i::integer, 'existing'::text, e.id, e.version, p_max_running,
          t.id, t.number, t.name, t.state, t.params, t.restarts, null::integer
        from unnest(p_keys) with ordinality k(key, i)
        cross join lateral (select * from trials x where x.experiment_id = e.id and x.idempotency_key = k.key limit 1) t;
    end if;
    waiting := array(select i from generate_series(1, n) i where not (i = any(answered)) order by i);
    if cardinality(waiting) = 0 then
      return;
    end if;
    if e.state in ('Succeeded', 'Failed') then
      return query select w, 'completed'::text, e.id, e.version, p_max_running,
        null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer
        from unnest(waiting) w;
      return;
    end if;

    perform pg_advisory_xact_lock(gate, hashtext(e.id));

    -- Stale trials first, oldest heartbeat to the first ask; their old points go.
    return query
      with stale as (
        select s.id, row_number() over (order by s.heartbeat_at, s.number) as rn from (
          select x.id, x.number, x.heartbeat_at from trials x
          where x.experiment_id = e.id and x.state = 'Running' and x.heartbeat_at <= now() - make_interval(secs => p_stale_seconds)
          order by x.heartbeat_at limit cardinality(waiting) for update skip locked) s
      ), ask as (
        select w.i::integer as i, w.rn from unnest(waiting) with ordinality w(i, rn)
      ), moved as (
        update trials t set restarts = t.restarts + 1, heartbeat_at = now(), idempotency_key = p_keys[ask.i], worker = p_workers[ask.i]
        from stale join ask using (rn) where t.id = stale.id
        returning ask.i, t.id, t.number, t.name, t.state, t.params, t.restarts
      ), cleared as (
        delete from observations o using moved where o.trial_id = moved.id
      ), logged as (
        insert into events (experiment_id, trial_id, type, payload)
        select e.id, moved.id, 'trial:restarted', jsonb_build_object('restarts', moved.restarts) from moved
      )
      select moved.i, 'reoffered'::text, e.id, e.version, p_max_running,
        moved.id, moved.number, moved.name, moved.state, moved.params, moved.restarts, null::integer from moved;
    get diagnostics taken = row_count;
    waiting := waiting[taken + 1:];
    if cardinality(waiting) = 0 then
      return;
    end if;

    -- The gate is held, so this count sees every claim committed before: no batch overshoots.
    select count(*) into running from trials x where x.experiment_id = e.id and x.state = 'Running';
    room := least(cardinality(waiting), greatest(0, p_max_running - running));
    taken := 0;
    if room > 0 then
      -- The outer select reads the snapshot from before the update: Pending before, less those taken.
      return query
        with picked as (
          select s.id, row_number() over (order by s.number) as rn from (
            select x.id, x.number from trials x where x.experiment_id = e.id and x.state = 'Pending'
            order by x.number limit room for update skip locked) s
        ), ask as (
          select w.i::integer as i, w.rn from unnest(waiting) with ordinality w(i, rn)
        ), moved as (
          update trials t set state = 'Running', started_at = now(), heartbeat_at = now(), idempotency_key = p_keys[ask.i], worker = p_workers[ask.i]
          from picked join ask using (rn) where t.id = picked.id
          returning ask.i, t.id, t.number, t.name, t.state, t.params, t.restarts
        ), logged as (
          insert into events (experiment_id, trial_id, type, payload)
          select e.id, moved.id, 'trial:state-changed', jsonb_build_object('state', 'Running') from moved
        )
        select moved.i, 'claimed'::text, e.id, e.version, p_max_running,
          moved.id, moved.number, moved.name, moved.state, moved.params, moved.restarts,
          ((select count(*) from trials p where p.experiment_id = e.id and p.state = 'Pending') - (select count(*) from moved))::integer
        from moved;
      get diagnostics taken = row_count;
    end if;
    -- Left over: the limit stopped them (busy), or nothing was Pending (empty: create, ask again).
    return query select w, case when taken < room then 'empty' else 'busy' end, e.id, e.version, p_max_running,
        null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer
      from unnest(waiting[taken + 1:]) w;
  end
  $$`

// One statement per query: both drivers send queries by the extended protocol, which takes one.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of TABLES) await statement.execute(db)
  await CLAIM_ASK_TRIALS.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function claim_ask_trials(text, text[], text[], integer, double precision)`.execute(db)
  for (const table of ['experiment_leases', 'events', 'algorithm_states', 'observations']) await sql`drop table ${sql.table(table)}`.execute(db)
  await sql`alter table experiments drop constraint experiments_best_trial_id_fkey`.execute(db)
  await sql`drop table trials`.execute(db)
  await sql`drop table experiments`.execute(db)
}
