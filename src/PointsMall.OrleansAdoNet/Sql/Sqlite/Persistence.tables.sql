-- Orleans' ADO.NET grain storage on SQLite. One row per grain state, keyed by the whole identity Orleans passes
-- (service, grain type, the grain key's numeric halves and its string part). Orleans also computes two hashes of
-- the identity; they are stored for inspection, but the key here is the identity itself, so the write can be one
-- INSERT ... ON CONFLICT statement. A grain without a string key part stores '' there (a key column cannot be NULL
-- and still be unique). Version is the ETag.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              TEXT    NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainIdExtensionString TEXT    NOT NULL,
    GrainIdHash            INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
) WITHOUT ROWID;
