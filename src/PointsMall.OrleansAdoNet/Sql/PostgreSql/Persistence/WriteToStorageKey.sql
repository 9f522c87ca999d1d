-- One statement inserts a first version (no ETag given, no row yet) or moves the row from the given version to
-- the next; anything else changes nothing. Orleans reads NewGrainStateVersion: the new version on success, the
-- version it gave (or NULL) when nothing was written, which it reports as an InconsistentStateException.
WITH written AS (
    INSERT INTO OrleansStorage AS s
        (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainIdHash, GrainTypeHash, PayloadBinary, ModifiedOn, Version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''), @GrainIdHash, @GrainTypeHash,
           @PayloadBinary, now(), 1
    WHERE @GrainStateVersion::integer IS NULL
       OR EXISTS (SELECT 1 FROM OrleansStorage
                  WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0
                    AND GrainIdN1 = @GrainIdN1 AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, ''))
    ON CONFLICT (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString) DO UPDATE
        SET PayloadBinary = excluded.PayloadBinary, ModifiedOn = excluded.ModifiedOn, Version = s.Version + 1
        WHERE s.Version = @GrainStateVersion::integer
    RETURNING s.Version)
SELECT COALESCE((SELECT Version FROM written), @GrainStateVersion::integer) AS NewGrainStateVersion;
