-- The applications of each account (Azure's management plane keeps them per Batch account) and
-- their package versions; the package bytes are files in the package store.
create table application (
    account         text        not null references account (name) on delete cascade,
    app_key         text        not null,
    id              text        not null,
    display_name    text,
    allow_updates   boolean     not null default true,
    default_version text,
    created_at      timestamptz not null default now(),
    last_modified   timestamptz not null default now(),
    primary key (account, app_key)
);

create table application_version (
    account    text        not null,
    app_key    text        not null,
    version    text        not null,
    format     text        not null,
    sha256     text        not null,
    size       bigint      not null,
    created_at timestamptz not null default now(),
    primary key (account, app_key, version),
    foreign key (account, app_key) references application (account, app_key) on delete cascade
);
