-- Jobs of an account. Ids compare case-insensitively (job_key is the lower-cased id) and keep the
-- case the client gave (id). The JSON columns hold properties Lote returns as given.
create table job (
    account                      text        not null,
    job_key                      text        not null,
    id                           text        not null,
    display_name                 text,
    state                        text        not null,
    state_time                   timestamptz not null,
    previous_state               text,
    previous_state_time          timestamptz,
    creation_time                timestamptz not null,
    last_modified                timestamptz not null,
    version                      bigint      not null,
    priority                     int         not null,
    max_parallel_tasks           int         not null,
    allow_task_preemption        boolean     not null,
    pool_id                      text        not null,
    max_wall_clock_ms            bigint,
    max_task_retry_count         int         not null,
    on_all_tasks_complete        text        not null,
    on_task_failure              text        not null,
    uses_task_dependencies       boolean     not null,
    common_environment           text        not null,
    metadata                     text,
    start_time                   timestamptz not null,
    end_time                     timestamptz,
    terminate_reason             text,
    primary key (account, job_key)
);
-- The sweeper looks for jobs waiting on their running tasks and for jobs past their wall clock.
create index job_by_state on job (state);

-- FIFO order of task.queued events; one sequence for all jobs keeps order within each job.
create sequence task_queue_seq;

-- Tasks. definition holds what is returned as given (environment, resource files, identity,
-- exit conditions, dependencies); run_spec is the TaskRunSpec sent with every task.queued.
create table task (
    account                      text        not null,
    job_key                      text        not null,
    task_key                     text        not null,
    job_id                       text        not null,
    id                           text        not null,
    state                        text        not null,
    state_time                   timestamptz not null,
    previous_state               text,
    previous_state_time          timestamptz,
    creation_time                timestamptz not null,
    last_modified                timestamptz not null,
    version                      bigint      not null,
    command_line                 text        not null,
    required_slots               int         not null,
    max_wall_clock_ms            bigint,
    retention_ms                 bigint      not null,
    max_task_retry_count         int         not null,
    definition                   text        not null,
    run_spec                     text        not null,
    pending_parents              int         not null,
    satisfies_dependents         boolean     not null,
    attempt                      int         not null,
    queue_seq                    bigint,
    retry_count                  int         not null,
    requeue_count                int         not null,
    last_retry_time              timestamptz,
    start_time                   timestamptz,
    end_time                     timestamptz,
    exit_code                    int,
    result                       text,
    failure_category             text,
    failure_code                 text,
    failure_message              text,
    pool_id                      text,
    node_id                      text,
    agent_url                    text,
    primary key (account, job_key, task_key)
);
-- Task counts and "are all tasks complete / is any still running" per job.
create index task_by_state on task (account, job_key, state);

-- Dependency edges: child waits for parent. Looked up by parent when a parent completes (primary
-- key) and by child when a task is deleted.
create table task_dependency (
    account                      text        not null,
    job_key                      text        not null,
    parent_key                   text        not null,
    child_key                    text        not null,
    primary key (account, job_key, parent_key, child_key)
);
create index task_dependency_by_child on task_dependency (account, job_key, child_key);
