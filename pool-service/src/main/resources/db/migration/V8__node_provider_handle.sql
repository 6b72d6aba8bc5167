-- A node's agent as its provider knows it: an opaque handle (the local provider's is the agent's
-- process id) instead of a process id, so that providers whose agents run on other hosts fit too.
alter table compute_node add column handle text;
update compute_node set handle = pid::text where pid is not null;
alter table compute_node drop column pid;
