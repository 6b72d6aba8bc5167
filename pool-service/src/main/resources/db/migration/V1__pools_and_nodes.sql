-- Pools of an account. Ids compare case-insensitively (pool_key is the lower-cased id) and keep
-- the case the client gave (id). spec holds the create request as given, returned on GET.
create table pool (
    account                       text        not null,
    pool_key                      text        not null,
    id                            text        not null,
    vm_size                       text        not null,
    target_dedicated_nodes        int         not null,
    target_low_priority_nodes     int         not null,
    task_slots_per_node           int         not null,
    resize_timeout                text        not null,
    enable_inter_node_comm        boolean     not null,
    spec                          json        not null,
    state                         text        not null,
    state_time                    timestamptz not null,
    allocation_state              text        not null,
    allocation_state_time         timestamptz not null,
    creation_time                 timestamptz not null,
    last_modified                 timestamptz not null,
    version                       bigint      not null,
    primary key (account, pool_key)
);

-- Compute nodes. Node ids are unique across accounts (they also name the node's Kafka topic and
-- directory). state is derived from reported_state, running_tasks, unresponsive and leaving.
create table compute_node (
    id                     text        primary key,
    account                text        not null,
    pool_key               text        not null,
    pool_id                text        not null,
    vm_size                text        not null,
    task_slots             int         not null,
    state                  text        not null,
    reported_state         text        not null,
    unresponsive           boolean     not null,
    leaving                boolean     not null,
    scheduling_state       text        not null,
    state_time             timestamptz not null,
    allocation_time        timestamptz not null,
    last_boot_time         timestamptz,
    agent_start_time       timestamptz,
    last_contact           timestamptz,
    ip_address             text,
    agent_url              text,
    running_tasks          int         not null,
    running_slots          int         not null,
    total_tasks_run        int         not null,
    total_tasks_succeeded  int         not null,
    start_task_info        json,
    error                  json,
    pid                    bigint,
    version                bigint      not null,
    last_modified          timestamptz not null,
    foreign key (account, pool_key) references pool (account, pool_key) on delete cascade
);
create index compute_node_by_pool on compute_node (account, pool_key, id);

-- Task attempts running on a node, so that a completion frees exactly the slots its start took,
-- and a repeated start or completion changes nothing.
create table node_running_task (
    node_id   text not null references compute_node (id) on delete cascade,
    job_key   text not null,
    task_key  text not null,
    attempt   int  not null,
    slots     int  not null,
    primary key (node_id, job_key, task_key, attempt)
);
