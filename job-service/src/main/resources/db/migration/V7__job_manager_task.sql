-- A job's job manager task as the job returns it (JSON, null when it has none). The task itself
-- lives in the task table like the job's other tasks.
alter table job add column job_manager_task text;
