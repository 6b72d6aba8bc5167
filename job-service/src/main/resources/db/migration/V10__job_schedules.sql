-- Job schedules: each makes jobs of its jobSpecification at its due times, named <id>:job-<n>.
-- A job is made in the transaction that moves jobs_made on and sets the next due time, so a due
-- time makes one job whatever stops the service in between.
create table job_schedule (
    account              text        not null,
    schedule_key         text        not null,
    id                   text        not null,
    display_name         text,
    schedule             text        not null,
    job_specification    text        not null,
    metadata             text,
    state                text        not null,
    state_time           timestamptz not null,
    previous_state       text,
    previous_state_time  timestamptz,
    creation_time        timestamptz not null,
    last_modified        timestamptz not null,
    version              bigint      not null,
    -- when the next job is due; null when no more will be
    next_run_time        timestamptz,
    -- when the schedule runner looks at it next: the due time, the end of the start window while
    -- the last job still runs, or null while only that job's completion can move it
    wake_time            timestamptz,
    jobs_made            int         not null default 0,
    recent_job_id        text,
    end_time             timestamptz,
    primary key (account, schedule_key)
);
create index job_schedule_wake on job_schedule (wake_time) where wake_time is not null;
