create table note (id text primary key, applied_count int not null default 0);
