-- One statement inserts a first version (no ETag given, no row yet) or moves the row from the given version to
-- the next; anything else changes nothing. Orleans reads NewGrainStateVersion: the new version on success, the
-- version it gave (or NULL) when nothing was written, which it reports as an InconsistentStateException.
-- changes() belongs to this connection, so it tells what this INSERT did whatever other connections do.
-- Orleans opens its own pooled connections, and SQLite builds may default to synchronous=NORMAL in WAL mode, where
-- a commit is not flushed to disk: a write acknowledged to Orleans must be durable, so every write sets FULL.
PRAGMA synchronous = FULL;

INSERT INTO OrleansStorage
    (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainIdHash, GrainTypeHash, PayloadBinary, ModifiedOn, Version)
SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''), @GrainIdHash, @GrainTypeHash,
       @PayloadBinary, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
WHERE @GrainStateVersion IS NULL
   OR EXISTS (SELECT 1 FROM OrleansStorage
              WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0
                AND GrainIdN1 = @GrainIdN1 AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, ''))
ON CONFLICT (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString) DO UPDATE
    SET PayloadBinary = excluded.PayloadBinary, ModifiedOn = excluded.ModifiedOn, Version = OrleansStorage.Version + 1
    WHERE OrleansStorage.Version = @GrainStateVersion;

SELECT CASE WHEN changes() > 0 THEN COALESCE(@GrainStateVersion + 1, 1) ELSE @GrainStateVersion END AS NewGrainStateVersion;
