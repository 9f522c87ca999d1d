-- A cleared state keeps its row with no payload and the next version, so a stale activation still cannot write.
-- Orleans opens its own pooled connections, and SQLite builds may default to synchronous=NORMAL in WAL mode, where
-- a commit is not flushed to disk: a write acknowledged to Orleans must be durable, so every write sets FULL.
PRAGMA synchronous = FULL;

UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), Version = Version + 1
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
  AND Version = @GrainStateVersion;

SELECT CASE WHEN changes() > 0 THEN @GrainStateVersion + 1 ELSE @GrainStateVersion END AS NewGrainStateVersion;
