-- Low-priority (spot) nodes: a node is dedicated or low-priority for its whole life.
alter table compute_node add column dedicated boolean not null default true;
alter table node_lifetime add column dedicated boolean not null default true;
-- A preempted low-priority node stays in its pool, without an agent, until the pool lets it go.
alter table compute_node add column preempted boolean not null default false;
