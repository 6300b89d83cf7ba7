import { sql, type Kysely } from 'kysely'

/**
 * Ask/tell: trials handed to outside workers (api/operations/trial-dispenser.ts).
 *
 * - `idempotency_key`: the key of the ask that holds the trial, so a retried ask returns it
 *   instead of taking another; unique per experiment when set.
 * - `heartbeat_at`: the last sign of life of its worker (ask, heartbeat, push). Only ask/tell
 *   trials have one, so only they are ever re-offered as stale.
 * - `worker`: what the worker called itself, for people reading the trial.
 *
 * `claim_ask_trial` is the one step of an ask that must be serialised: checking
 * parallelTrialCount and taking a trial. A PL/pgSQL function because it is the only way to get
 * both in one round trip with a correct count: each statement of a volatile function takes a
 * fresh snapshot, so the Running count after an advisory lock sees every claim committed
 * before it, while a single SQL statement would count with a snapshot taken before waiting.
 * The locks are advisory ones, not the experiment row: creating suggestions (which holds that
 * row while the algorithm runs) then never blocks claims. Pending and stale trials are taken
 * with SKIP LOCKED, so a stop or kill that holds one is passed over rather than waited for.
 *
 * Claims of one experiment run side by side while they cannot overshoot the limit, since one at
 * a time (a lock held until commit) caps asks at one per commit. A claim holds the experiment's
 * gate lock shared and one of K ticket locks, so at most K claims are uncommitted at once; the
 * Running count it reads after taking them sees everything committed, so when
 * Running + K <= parallelTrialCount, no mix of its and the others' claims can exceed the limit.
 * Nearer the limit (or with a limit too small for tickets) it gives its locks back (the block's
 * subtransaction is rolled back) and takes the gate exclusively, which waits for every ticket
 * holder and counts exactly. Ticket holders never wait for a lock while holding one, so the
 * locks cannot deadlock. Re-offering a stale trial needs none of this: it keeps the count.
 *
 * Outcomes: `existing` (the key already holds a trial, any state), `completed` (the experiment
 * is Succeeded or Failed), `reoffered` (a Running trial whose heartbeat is older than the
 * timeout, handed out again with restarts + 1, its points of the old attempt deleted and a
 * `trial:restarted` event appended), `claimed` (a Pending trial, now Running, with its
 * `trial:state-changed` event), `busy` (parallelTrialCount trials run), `empty` (nothing
 * Pending: create suggestions, retry). The events are written here rather than by the caller so
 * that an ask is one write round trip and they commit exactly with the claim.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('trials')
    .addColumn('idempotency_key', 'text')
    .addColumn('heartbeat_at', 'timestamptz')
    .addColumn('worker', 'text')
    .execute()
  await db.schema
    .createIndex('trials_experiment_id_idempotency_key_key')
    .on('trials')
    .columns(['experiment_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute()
  // Claims and tells move trials Pending -> Running -> done many times a second, and every move
  // leaves a dead entry under the old state. With equal keys, btree deduplication packs dead and
  // live entries of one (experiment, state) into posting lists that scans can never mark dead, so
  // every count of Running or Pending would wade through all of them until a vacuum. Unique keys
  // let each scan mark what it found dead; number also orders the Pending trials a claim takes.
  await db.schema.dropIndex('trials_experiment_id_state_idx').execute()
  await db.schema.createIndex('trials_experiment_id_state_number_idx').on('trials').columns(['experiment_id', 'state', 'number']).execute()
  await sql`
    create function claim_ask_trial(p_experiment text, p_key text, p_worker text, p_max_running integer, p_stale_seconds double precision)
    returns table (outcome text, id text, number integer, name text, state text, params jsonb, restarts integer, pending integer)
    language plpgsql volatile as $$
    declare
      t record;
      running integer;
      experiment_state text;
      gate constant integer := 1751478885;
      h constant integer := hashtext(p_experiment);
      tickets constant integer := least(8, p_max_running / 4);
      ticket boolean := false;
    begin
      if p_key is not null then
        select * into t from trials where trials.experiment_id = p_experiment and trials.idempotency_key = p_key;
        if found then
          return query select 'existing'::text, t.id, t.number, t.name, t.state, t.params, t.restarts, null::integer;
          return;
        end if;
      end if;
      -- KEY SHARE now, as the event insert's foreign key check would later: taken after the
      -- trial row, it could deadlock with a delete of the experiment (which locks the experiment, then its trials).
      select experiments.state into experiment_state from experiments where experiments.id = p_experiment for key share;
      if experiment_state is null or experiment_state in ('Succeeded', 'Failed') then
        return query select 'completed'::text, null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
        return;
      end if;
      update trials set restarts = trials.restarts + 1, heartbeat_at = now(), idempotency_key = p_key, worker = p_worker
        where trials.id = (
          select s.id from trials s
          where s.experiment_id = p_experiment and s.state = 'Running' and s.heartbeat_at <= now() - make_interval(secs => p_stale_seconds)
          order by s.heartbeat_at limit 1 for update skip locked)
        returning * into t;
      if found then
        -- The new attempt starts from nothing, as a relaunched local trial does.
        delete from observations where observations.trial_id = t.id;
        insert into events (experiment_id, trial_id, type, payload)
          values (p_experiment, t.id, 'trial:restarted', jsonb_build_object('restarts', t.restarts));
        return query select 'reoffered'::text, t.id, t.number, t.name, t.state, t.params, t.restarts, null::integer;
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
          select count(*) into running from trials where trials.experiment_id = p_experiment and trials.state = 'Running';
          if running + tickets > p_max_running then
            raise exception using errcode = 'HT001';
          end if;
        exception when sqlstate 'HT001' then
          ticket := false;
        end;
      end if;
      if not ticket then
        perform pg_advisory_xact_lock(gate, h);
        select count(*) into running from trials where trials.experiment_id = p_experiment and trials.state = 'Running';
        if running >= p_max_running then
          return query select 'busy'::text, null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
          return;
        end if;
      end if;
      update trials set state = 'Running', started_at = now(), heartbeat_at = now(), idempotency_key = p_key, worker = p_worker
        where trials.id = (
          select s.id from trials s where s.experiment_id = p_experiment and s.state = 'Pending'
          order by s.number limit 1 for update skip locked)
        returning * into t;
      if not found then
        return query select 'empty'::text, null::text, null::integer, null::text, null::text, null::jsonb, null::integer, null::integer;
        return;
      end if;
      insert into events (experiment_id, trial_id, type, payload)
        values (p_experiment, t.id, 'trial:state-changed', jsonb_build_object('state', 'Running'));
      return query select 'claimed'::text, t.id, t.number, t.name, t.state, t.params, t.restarts,
        (select count(*)::integer from trials p where p.experiment_id = p_experiment and p.state = 'Pending');
    end
    $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function claim_ask_trial(text, text, text, integer, double precision)`.execute(db)
  await db.schema.dropIndex('trials_experiment_id_state_number_idx').execute()
  await db.schema.createIndex('trials_experiment_id_state_idx').on('trials').columns(['experiment_id', 'state']).execute()
  await db.schema.dropIndex('trials_experiment_id_idempotency_key_key').execute()
  await db.schema.alterTable('trials').dropColumn('worker').dropColumn('heartbeat_at').dropColumn('idempotency_key').execute()
}
