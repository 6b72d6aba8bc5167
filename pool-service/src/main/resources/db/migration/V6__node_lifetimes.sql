-- How long each node existed, kept after the node and its pool are gone: pool usage metrics and
-- pool statistics count core time from it. ended is null while the node exists.
create table node_lifetime (
    node_id   text        primary key,
    account   text        not null,
    pool_key  text        not null,
    pool_id   text        not null,
    vm_size   text        not null,
    cores     int         not null,
    started   timestamptz not null,
    ended     timestamptz
);
create index node_lifetime_by_pool on node_lifetime (account, pool_key, started);
