-- A completed task's stdout.txt and stderr.txt, copied from its node as it completes, so that they
-- stay readable through the task file API once the node is gone (removed, reimaged, preempted),
-- until the task's retention time ends.

-- completed tasks whose output is still to be copied: written with the completion, in its transaction
create table task_output_pending (
  account     text        not null,
  job_key     text        not null,
  task_key    text        not null,
  job_id      text        not null,
  task_id     text        not null,
  agent_url   text        not null,
  keep_until  timestamptz not null,
  queued_at   timestamptz not null,
  primary key (account, job_key, task_key)
);

create table task_output (
  account       text        not null,
  job_key       text        not null,
  task_key      text        not null,
  name          text        not null,
  content       bytea       not null,
  size          bigint      not null,
  kept_from     bigint      not null,
  last_modified timestamptz not null,
  keep_until    timestamptz not null,
  primary key (account, job_key, task_key, name)
);
create index task_output_keep_until on task_output (keep_until);
