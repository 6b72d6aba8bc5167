-- The pool's low-priority target, where a formula's $TargetLowPriorityNodes starts, as $TargetDedicatedNodes does from target_dedicated.
alter table pool add column target_low_priority int not null default 0;
