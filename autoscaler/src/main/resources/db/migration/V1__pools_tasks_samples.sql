-- The autoscaler's view of the pools, built from events. Keys are the case-folded ids.
create table pool (
    account           text        not null,
    pool_key          text        not null,
    pool_id           text        not null,
    target_dedicated  int         not null,
    task_slots        int         not null,
    formula           text,
    interval_ms       bigint,
    last_run          timestamptz,
    primary key (account, pool_key)
);

-- Tasks waiting for a slot or running, per pool: $ActiveTasks and $RunningTasks.
create table pool_task (
    account   text    not null,
    job_key   text    not null,
    task_key  text    not null,
    pool_key  text    not null,
    attempt   int     not null,
    running   boolean not null,
    primary key (account, job_key, task_key)
);
create index pool_task_by_pool on pool_task (account, pool_key);

-- Tasks that finished since the pool's last sample: $SucceededTasks and $FailedTasks.
create table pool_finished (
    account    text   not null,
    pool_key   text   not null,
    succeeded  bigint not null default 0,
    failed     bigint not null default 0,
    primary key (account, pool_key)
);

-- The pools' nodes and their states: $CurrentDedicatedNodes, $UsableNodeCount.
create table node (
    node_id   text primary key,
    account   text not null,
    pool_key  text not null,
    state     text not null
);
create index node_by_pool on node (account, pool_key);

-- One sample of every metric of a pool, by variable name ({"$PendingTasks": 12, ...}).
-- History is kept for lote.autoscale.history and then deleted.
create table sample (
    account   text        not null,
    pool_key  text        not null,
    time      timestamptz not null,
    metrics   jsonb       not null,
    primary key (account, pool_key, time)
);
