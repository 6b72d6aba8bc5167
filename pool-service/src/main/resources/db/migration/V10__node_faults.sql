-- A fault injected in test mode ("make a node unusable"): the node is unusable with this error,
-- its agent stopped, until a reboot or reimage starts a new one or the pool lets it go.
alter table compute_node add column fault json;
