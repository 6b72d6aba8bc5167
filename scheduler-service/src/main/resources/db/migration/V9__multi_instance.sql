-- Multi-instance tasks: a pool's inter-node communication (from pool.created), each node's agent
-- URL (the instances of a task reach each other's agents there), and one assignment row per
-- instance of an attempt (instance 0 is the primary; a task of one node has one row, instance 0,
-- of instances 1).
alter table pool add column inter_node boolean not null default false;
alter table node add column agent_url text;
alter table assignment add column instance int not null default 0;
alter table assignment add column instances int not null default 1;
alter table assignment drop constraint assignment_pkey;
alter table assignment add primary key (account, job_key, task_key, instance);
