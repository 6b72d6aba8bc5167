-- How long the task's attempts that ended ran on a node, from their start to their end, summed over
-- retries, requeues and reactivations: TaskStatistics.wallClockTime is this plus the running attempt.
alter table task add column run_ms bigint not null default 0;
