-- What deleted jobs added to their account's lifetime job statistics: the jobs still stored are
-- summed from their tasks, and a job's sums move here in the transaction that deletes it.
create table job_lifetime_statistics (
    account            text   primary key,
    succeeded_tasks    bigint not null default 0,
    failed_tasks       bigint not null default 0,
    task_retries       bigint not null default 0,
    wall_clock_ms      bigint not null default 0,
    wait_ms            bigint not null default 0
);
