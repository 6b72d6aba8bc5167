-- A node's running tasks and slots come from its agent's heartbeats (the agent owns that fact);
-- the pool-service keeps no copy of which attempts run where.
drop table node_running_task;
