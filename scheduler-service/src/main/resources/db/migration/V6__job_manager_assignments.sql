-- A running job manager task is never displaced to make room for another one; other attempts may
-- be, for a job manager that waits (see Preemption).
alter table assignment add column job_manager boolean not null default false;

-- Whether a job manager task waits in a pool is asked after every batch: job managers are queued
-- with a negative arrival, and this index holds them alone.
create index queued_job_managers on queued_task (account, pool_key) where arrival < 0;
