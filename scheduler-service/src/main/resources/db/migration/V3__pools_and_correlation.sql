-- A pool's taskSchedulingPolicy.nodeFillType, from pool.created. A pool without a row spreads.
create table pool (
    account         text not null,
    pool_key        text not null,
    node_fill_type  text not null default 'spread',
    primary key (account, pool_key)
);

-- The request id that queued the attempt, carried into the events the scheduler publishes for it;
-- and the pool id an attempt.lost names.
alter table queued_task add column correlation_id text;
alter table assignment add column correlation_id text;
alter table assignment add column pool_id text;
