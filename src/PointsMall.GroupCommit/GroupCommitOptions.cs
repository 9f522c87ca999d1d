namespace PointsMall.GroupCommit;

/// <summary>Settings of a group-commit grain storage.</summary>
public sealed class GroupCommitOptions
{
    /// <summary>The most state writes one transaction carries; more wait for the next one.</summary>
    public int MaxBatchSize { get; set; } = 1024;
}
