-- A job's preparation and release tasks as the job returns them (JSON, null when it has none).
alter table job add column job_preparation_task text;
alter table job add column job_release_task text;

-- Where each job's preparation and release tasks ran, and how they ended, as the nodes reported it.
create table job_task_status (
    account                  text        not null,
    job_key                  text        not null,
    node_id                  text        not null,
    pool_id                  text        not null,
    agent_url                text,
    prep_task_id             text,
    prep_state               text,
    prep_start_time          timestamptz,
    prep_end_time            timestamptz,
    prep_exit_code           int,
    prep_retry_count         int,
    prep_result              text,
    prep_failure_category    text,
    prep_failure_code        text,
    prep_failure_message     text,
    release_task_id          text,
    release_state            text,
    release_start_time       timestamptz,
    release_end_time         timestamptz,
    release_exit_code        int,
    release_result           text,
    release_failure_category text,
    release_failure_code     text,
    release_failure_message  text,
    primary key (account, job_key, node_id)
);
