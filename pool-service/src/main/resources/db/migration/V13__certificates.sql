-- Certificates of an account, keyed by thumbprint algorithm and lower-case thumbprint.
-- public_data is the public certificate (DER), returned as publicData. The certificate as given
-- (data) and its password are kept sealed with AES-GCM under a key held outside the database
-- (lote.certificates.key-file): a 12-byte nonce, then the ciphertext with its tag.
create table certificate (
    account                   text        not null,
    thumbprint_algorithm      text        not null,
    thumbprint                text        not null,
    format                    text        not null,
    public_data               bytea       not null,
    sealed_data               bytea       not null,
    sealed_password           bytea,
    state                     text        not null,
    state_time                timestamptz not null,
    previous_state            text,
    previous_state_time       timestamptz,
    delete_error              json,
    last_modified             timestamptz not null,
    version                   bigint      not null,
    primary key (account, thumbprint_algorithm, thumbprint)
);

create index certificate_deleting on certificate (state) where state = 'deleting';
