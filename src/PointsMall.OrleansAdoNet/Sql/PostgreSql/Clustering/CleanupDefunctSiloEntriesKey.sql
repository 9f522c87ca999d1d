-- Rows of dead silos (status 6) not heard from since the given time; live and suspected members stay.
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = 6 AND IAmAliveTime < @IAmAliveTime;
