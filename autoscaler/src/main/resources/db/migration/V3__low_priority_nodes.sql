-- Low-priority (spot) nodes are counted apart: $CurrentLowPriorityNodes, $PreemptedNodeCount.
alter table node add column low_priority boolean not null default false;
