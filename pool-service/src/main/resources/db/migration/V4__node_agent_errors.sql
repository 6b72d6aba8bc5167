-- What a node's agent reports wrong with the node it runs, shown in the node's errors beside a
-- launch failure: for example NodeAgentNotPrivileged, an agent that is not root and so runs every
-- task as its own user. A JSON list of {code, message}; null when there is none.
alter table compute_node add column agent_errors json;
