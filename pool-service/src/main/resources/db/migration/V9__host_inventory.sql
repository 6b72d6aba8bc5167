-- The hosts of the `hosts` node provider: machines whose host agent joined with the join token.
-- A host is heard from by its heartbeats; one silent past the heartbeat time-to-live is lost, and
-- so are the nodes it runs.
create table host (
    id           text primary key,
    address      text        not null,
    cores        int         not null,
    memory_mb    bigint      not null,
    labels       json        not null,
    -- the nodes whose agents the host said run there, in its last heartbeat
    running      text[]      not null,
    joined       timestamptz not null,
    last_heard   timestamptz not null,
    lost         boolean     not null default false
);

-- Which host runs each node of the hosts provider (the node's handle names the host too).
create table host_node (
    node_id  text primary key,
    host_id  text not null references host (id),
    cores    int  not null
);
create index host_node_host on host_node (host_id);
