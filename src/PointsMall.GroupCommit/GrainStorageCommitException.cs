
namespace PointsMall.GroupCommit;

/// <summary>
/// A state write is not durable: the batch that held it failed, or the activation's pipeline failed before it. The
/// activation is deactivated and the next call reloads what storage holds; the caller may retry.
/// </summary>
[GenerateSerializer]
public sealed class GrainStorageCommitException : OrleansException
{
    public GrainStorageCommitException()
    {
    }

    public GrainStorageCommitException(string message)
        : base(message)
    {
    }

    public GrainStorageCommitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
