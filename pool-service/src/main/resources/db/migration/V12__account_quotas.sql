-- The pool-service's copy of each account's pool and core quotas, kept from the account-service's
-- lote.accounts events (account.created, account.quotas-changed); an account without a row has
-- Azure's defaults.
create table account_quota (
    account             text    primary key,
    pools               integer not null,
    dedicated_cores     integer not null,
    low_priority_cores  integer not null
);
