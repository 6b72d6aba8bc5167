-- When an attempt arrived in its pool's queue, for the placement latency metric. Attempts queued
-- before this column existed count from the migration.
alter table queued_task add column queued_at timestamptz not null default now();
