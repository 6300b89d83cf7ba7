import { sql, type Kysely } from 'kysely'
import { up as createClaimByName } from './0005-ask-by-name.ts'

/**
 * Asks in batches (api/operations/trial-dispenser.ts): `claim_ask_trials` answers several asks
 * of one experiment in one call, with set-based statements, so under load one round trip, one
 * commit and one lock of the experiment serve many asks instead of one each. It replaces
 * `claim_ask_trial_by_name` (0005), whose outcomes and locking it keeps, except:
 *
 * - Claims of one experiment are serialised by its gate advisory lock, taken exclusively for
 *   the whole batch. 0003's tickets let single claims run side by side; a server now sends one
 *   batch per experiment at a time, so a ticket would only ever be held alone.
 * - Asks are answered in the order given: idempotency keys that already hold a trial first
 *   (`existing`), then stale trials handed out again (`reoffered`), then Pending trials by number
 *   (`claimed`); asks left over are `busy` when parallelTrialCount is reached, else `empty`.
 * - A key repeated within a batch is the caller's to fold into one ask (the unique index would
 *   refuse the second).
 *
 * Rows carry the ask's position (`ordinal`, from 1) and come in no particular order. `pending`,
 * on claimed rows, is what is left Pending after the batch.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop function claim_ask_trial_by_name(text, text, text, integer, double precision)`.execute(db)
  await sql`
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
      -- KEY SHARE, as 0003 explains: the lock the event inserts' foreign key checks take anyway.
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
    $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function claim_ask_trials(text, text[], text[], integer, double precision)`.execute(db)
  await createClaimByName(db)
}
