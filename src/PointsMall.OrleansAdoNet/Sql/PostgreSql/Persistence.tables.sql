-- Orleans' ADO.NET grain storage on PostgreSQL. One row per grain state, keyed by the whole identity Orleans passes
-- (service, grain type, the grain key's numeric halves and its string part); Orleans' two identity hashes are
-- stored for inspection. A grain without a string key part stores '' there, so the key can be unique and the
-- write one INSERT ... ON CONFLICT statement. Version is the ETag.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              varchar(150) NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainIdExtensionString varchar(512) NOT NULL,
    GrainIdHash            integer      NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL,
    Version                integer      NOT NULL,
    CONSTRAINT PK_OrleansStorage PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);
