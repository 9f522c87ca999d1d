-- A member's status changes only against the version it read: the version row moves on and the member row is
-- updated in one statement, or neither happens. Orleans reads whether it happened.
WITH version AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId AND Version = @Version
      AND EXISTS (SELECT 1 FROM OrleansMembershipTable
                  WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId),
updated AS (
    UPDATE OrleansMembershipTable AS m
    SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
    FROM version
    WHERE m.DeploymentId = version.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1)
SELECT count(*)::integer FROM updated;
