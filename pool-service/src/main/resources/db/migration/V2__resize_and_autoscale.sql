-- Autoscale settings and the last evaluation (autoScaleRun), the deallocation option of the
-- current resize and the error of the last one that did not reach its target.
alter table pool add column auto_scale_formula text;
alter table pool add column auto_scale_interval text;
alter table pool add column auto_scale_run json;
alter table pool add column deallocation text not null default 'requeue';
alter table pool add column resize_error json;

-- A node leaving its pool: with which option (null for a pool being deleted), and whether its
-- agent reported that nothing is left on it.
alter table compute_node add column deallocation text;
alter table compute_node add column drained boolean not null default false;
