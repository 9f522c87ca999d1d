using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Storage.Tests;

public sealed class InMemoryGrainStoreTests(ITestOutputHelper output) : GrainStoreContract(output)
{
    protected override Task<IGrainStore> OpenStoreAsync() => Task.FromResult<IGrainStore>(new InMemoryGrainStore());

    [Fact]
    public async Task A_commit_completes_synchronously()
    {
        var commit = Store.CommitAsync(States(Insert(Grain("sync"), "v1")), CancellationToken.None);

        Assert.True(commit.IsCompletedSuccessfully);
        Assert.True((await commit).IsCommitted);
    }
}
