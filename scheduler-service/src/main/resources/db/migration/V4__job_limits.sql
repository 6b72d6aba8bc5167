-- What the scheduler uses of a job beyond its pool and priority: whether its queued tasks are held
-- (the job is disabled), the most of its tasks that may run at once (-1: no limit) and whether a
-- higher-priority job may requeue its tasks.
alter table job add column held boolean not null default false;
alter table job add column max_parallel int not null default -1;
alter table job add column preemptible boolean not null default false;

-- The head of one job's queue, for jobs that limit their parallel tasks.
create index queued_by_job on queued_task (account, job_key, arrival);

-- The nodes where a job's preparation task ran (they run its release task when it ends), and
-- those where it failed for a job that waits for its success (none of its tasks goes there).
create table job_node (
    account      text    not null,
    job_key      text    not null,
    job_id       text    not null,
    node_id      text    not null,
    blocked      boolean not null,
    primary key (account, job_key, node_id)
);
create index job_node_by_node on job_node (node_id);
