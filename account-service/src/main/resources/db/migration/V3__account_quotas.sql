-- Each account's quotas (Azure Batch's per-account defaults until an operator sets them) and a
-- version, which is the account's ETag; what rotating a key or setting a quota changes is dated.
alter table account
    add column pool_quota                 integer     not null default 100,
    add column dedicated_core_quota       integer     not null default 900,
    add column low_priority_core_quota    integer     not null default 100,
    add column active_job_schedule_quota  integer     not null default 300,
    add column version                    bigint      not null default 1,
    add column last_modified              timestamptz not null default now();
