-- An attempt asked to hand its slots back for a task of a higher-priority job: counted as slots
-- on their way, so no second attempt is preempted for the same waiting task.
alter table assignment add column preempted boolean not null default false;
