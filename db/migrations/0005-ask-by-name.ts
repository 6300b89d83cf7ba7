import { sql, type Kysely } from 'kysely'

/**
 * An ask in one round trip (api/operations/trial-dispenser.ts): `claim_ask_trial_by_name` finds
 * the experiment by name and claims as 0003's `claim_ask_trial` does, so the server no longer
 * reads the experiment (and parses its spec) before every claim.
 *
 * The limit is the spec's parallelTrialCount read here, under the KEY SHARE lock the claim takes
 * anyway, so an updated spec applies from the next ask on. Outcomes beyond the claim's: `not-found`, `not-ask-tell` (the spec has a
 * trialTemplate: the server runs its trials), `not-started` (Created or Restarting: the caller
 * starts it and asks again). Every row names the experiment's id and version (its row's xmin,
 * which changes with every update of the row, spec included), so the caller can keep what it
 * derives from the spec until the version changes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // 0003's claim_ask_trial after the lookup, inlined rather than called: a nested call costs
  // its own executor start-up and a second lock of the experiment row on every ask.
  await sql`
    create function claim_ask_trial_by_name(p_name text, p_key text, p_worker text, p_default_running integer, p_stale_seconds double precision)
    returns table (outcome text, experiment_id text, experiment_version text, max_running integer,
      id text, number integer, name text, state text, params jsonb, restarts integer, pending integer)
    language plpgsql volatile as $$
    declare
      e record;
      t record;
      p_max_running integer;
      running integer;
      gate constant integer := 1751478885;
      h integer;
      tickets integer;
      ticket boolean := false;
    begin
      -- KEY SHARE first, as in claim_ask_trial: before any trial row, and the lock the event
      -- insert's foreign key check needs anyway.
      select x.id, x.state, x.xmin::text as version, x.spec -> 'spec' as spec into e
        from experiments x where x.name = p_name for key share;
      if not found then
        return query select 'not-found'::text, null::text, null::text, null::integer,
          null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
        return;
      end if;
      p_max_running := coalesce((e.spec ->> 'parallelTrialCount')::integer, p_default_running);
      if coalesce(jsonb_typeof(e.spec -> 'trialTemplate'), 'null') <> 'null' then
        return query select 'not-ask-tell'::text, e.id, e.version, p_max_running,
          null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
        return;
      end if;
      if e.state in ('Created', 'Restarting') then
        return query select 'not-started'::text, e.id, e.version, p_max_running,
          null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
        return;
      end if;
      -- From here on claim_ask_trial (0003), which documents the locking.
      h := hashtext(e.id);
      tickets := least(8, p_max_running / 4);
      if p_key is not null then
        select * into t from trials where trials.experiment_id = e.id and trials.idempotency_key = p_key;
        if found then
          return query select 'existing'::text, e.id, e.version, p_max_running, t.id, t.number, t.name, t.state, t.params, t.restarts, null::integer;
          return;
        end if;
      end if;
      if e.state in ('Succeeded', 'Failed') then
        return query select 'completed'::text, e.id, e.version, p_max_running,
          null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
        return;
      end if;
      update trials set restarts = trials.restarts + 1, heartbeat_at = now(), idempotency_key = p_key, worker = p_worker
        where trials.id = (
          select s.id from trials s
          where s.experiment_id = e.id and s.state = 'Running' and s.heartbeat_at <= now() - make_interval(secs => p_stale_seconds)
          order by s.heartbeat_at limit 1 for update skip locked)
        returning * into t;
      if found then
        delete from observations where observations.trial_id = t.id;
        insert into events (experiment_id, trial_id, type, payload)
          values (e.id, t.id, 'trial:restarted', jsonb_build_object('restarts', t.restarts));
        return query select 'reoffered'::text, e.id, e.version, p_max_running, t.id, t.number, t.name, t.state, t.params, t.restarts, null::integer;
        return;
      end if;
      if tickets >= 2 then
        begin
          perform pg_advisory_xact_lock_shared(gate, h);
          for k in 1 .. tickets loop
            ticket := pg_try_advisory_xact_lock(gate + k, h);
            exit when ticket;
          end loop;
          if not ticket then
            perform pg_advisory_xact_lock(gate + 1 + pg_backend_pid() % tickets, h);
            ticket := true;
          end if;
          select count(*) into running from trials where trials.experiment_id = e.id and trials.state = 'Running';
          if running + tickets > p_max_running then
            raise exception using errcode = 'HT001';
          end if;
        exception when sqlstate 'HT001' then
          ticket := false;
        end;
      end if;
      if not ticket then
        perform pg_advisory_xact_lock(gate, h);
        select count(*) into running from trials where trials.experiment_id = e.id and trials.state = 'Running';
        if running >= p_max_running then
          return query select 'busy'::text, e.id, e.version, p_max_running,
            null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
          return;
        end if;
      end if;
      update trials set state = 'Running', started_at = now(), heartbeat_at = now(), idempotency_key = p_key, worker = p_worker
        where trials.id = (
          select s.id from trials s where s.experiment_id = e.id and s.state = 'Pending'
          order by s.number limit 1 for update skip locked)
        returning * into t;
      if not found then
        return query select 'empty'::text, e.id, e.version, p_max_running,
          null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
        return;
      end if;
      insert into events (experiment_id, trial_id, type, payload)
        values (e.id, t.id, 'trial:state-changed', jsonb_build_object('state', 'Running'));
      return query select 'claimed'::text, e.id, e.version, p_max_running, t.id, t.number, t.name, t.state, t.params, t.restarts,
        (select count(*)::integer from trials p where p.experiment_id = e.id and p.state = 'Pending');
    end
    $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function claim_ask_trial_by_name(text, text, text, integer, double precision)`.execute(db)
}
