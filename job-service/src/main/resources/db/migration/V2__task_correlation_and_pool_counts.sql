-- The request id of the call that added the task: the correlation id of every task.queued of it
-- (first run, retries, requeues). Null for tasks added before it was kept.
alter table task add column correlation_id text;

-- The autoscaler asks for the task counts of one pool: jobs by pool, then their tasks by state.
create index job_by_pool on job (account, lower(pool_id));
