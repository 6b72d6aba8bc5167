-- The scheduler's own view of the world, built from events. Keys are the case-folded ids.
create table node (
    node_id      text    primary key,
    account      text    not null,
    pool_key     text    not null,
    slots        int     not null,
    used_slots   int     not null default 0,
    schedulable  boolean not null
);
create index node_by_pool on node (account, pool_key);

create table job (
    account   text    not null,
    job_key   text    not null,
    pool_key  text    not null,
    priority  int     not null,
    active    boolean not null,
    primary key (account, job_key)
);

-- Tasks waiting for a slot, in the order the placement reads them.
create table queued_task (
    account        text   not null,
    job_key        text   not null,
    task_key       text   not null,
    job_id         text   not null,
    task_id        text   not null,
    pool_key       text   not null,
    pool_id        text   not null,
    priority       int    not null,
    attempt        int    not null,
    arrival        bigserial,
    required_slots int    not null,
    spec           jsonb  not null,
    primary key (account, job_key, task_key)
);
create index queued_by_pool on queued_task (account, pool_key, priority desc, arrival);

-- Attempts placed on a node and not yet completed: they hold their slots.
create table assignment (
    account   text not null,
    job_key   text not null,
    task_key  text not null,
    job_id    text not null,
    task_id   text not null,
    attempt   int  not null,
    node_id   text not null,
    slots     int  not null,
    primary key (account, job_key, task_key)
);
create index assignment_by_node on assignment (node_id);
