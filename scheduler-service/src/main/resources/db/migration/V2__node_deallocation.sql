-- The nodeDeallocationOption of a node leaving its pool; null while it stays. The node's agent is
-- told once, when this is first set.
alter table node add column deallocation text;
