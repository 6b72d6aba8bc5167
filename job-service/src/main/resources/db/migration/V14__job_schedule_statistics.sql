-- What the deleted jobs of a job schedule added up to: the jobs still stored are summed from their
-- tasks, and a schedule's job moves its sums here in the transaction that deletes it.
create table job_schedule_statistics (
    account            text   not null,
    schedule_key       text   not null,
    succeeded_tasks    bigint not null default 0,
    failed_tasks       bigint not null default 0,
    task_retries       bigint not null default 0,
    wall_clock_ms      bigint not null default 0,
    wait_ms            bigint not null default 0,
    primary key (account, schedule_key)
);
