using PointsMall.Testing;
using Xunit;

// Each test runs a cluster of five processes on a machine of two cores: one cluster at a time, or quick failure
// detection would start declaring starved silos dead.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PointsMall.Cluster.Tests.Support;

[CollectionDefinition(PostgresServerFixture.CollectionName)]
public sealed class PostgresServerDefinition : ICollectionFixture<PostgresServerFixture>;
