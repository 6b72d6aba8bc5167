-- A node asked to reboot or reimage (ComputeNode_Reboot / ComputeNode_Reimage): which of the two
-- (reboot, reimage) until its new agent first reports, and the option its tasks are dealt with by
-- (requeue, terminate, taskcompletion, retaineddata) until the agent is started again.
alter table compute_node add column restart text, add column restart_option text;
