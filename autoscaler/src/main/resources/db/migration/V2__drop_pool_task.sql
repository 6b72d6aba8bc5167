-- The counts of queued and running tasks are asked of the job-service, which owns tasks, when a
-- sample is taken: the autoscaler keeps no copy of task state.
drop table pool_task;
