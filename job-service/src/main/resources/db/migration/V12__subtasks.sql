-- The subtasks of a multi-instance task's latest attempt (instances 1 to n-1; the primary is the
-- task itself), as their nodes report them. A report of an older attempt changes nothing.
create table task_subtask (
    account       text        not null,
    job_key       text        not null,
    task_key      text        not null,
    subtask_id    int         not null,
    attempt       int         not null,
    pool_id       text,
    node_id       text,
    state         text        not null,
    state_time    timestamptz not null,
    previous_state      text,
    previous_state_time timestamptz,
    start_time    timestamptz,
    end_time      timestamptz,
    exit_code     int,
    result        text,
    failure_category text,
    failure_code  text,
    failure_message text,
    primary key (account, job_key, task_key, subtask_id),
    foreign key (account, job_key, task_key) references task (account, job_key, task_key) on delete cascade
);
