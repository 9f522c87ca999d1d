namespace PointsMall.Actors;

/// <summary>Base type of the failures the runtime itself raises (as opposed to exceptions a grain throws).</summary>
public class GrainRuntimeException : Exception
{
    public GrainRuntimeException() { }

    public GrainRuntimeException(string message) : base(message) { }

    public GrainRuntimeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A call was not answered within the configured call timeout.</summary>
public sealed class GrainCallTimeoutException : GrainRuntimeException
{
    public GrainCallTimeoutException() { }

    public GrainCallTimeoutException(string message) : base(message) { }

    public GrainCallTimeoutException(string message, Exception inner) : base(message, inner) { }

    public GrainCallTimeoutException(GrainId grain, string method, TimeSpan timeout)
        : base($"Call to {grain}.{method} was not answered within {timeout.TotalMilliseconds:0} ms.")
    {
        Grain = grain;
        Method = method;
    }

    public GrainId Grain { get; }

    public string Method { get; } = "";
}

/// <summary>
/// The storage transaction that held this call's state change failed, so the change was not acknowledged
/// and is not stored. The activation has dropped its in-memory state; the next call reloads it.
/// </summary>
public sealed class StorageCommitException : GrainRuntimeException
{
    public StorageCommitException() { }

    public StorageCommitException(string message) : base(message) { }

    public StorageCommitException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The stored version of a grain's state is not the one this activation read: another activation wrote it
/// (or the row was changed behind the runtime's back). The write was refused and the activation deactivated.
/// </summary>
public sealed class VersionConflictException : GrainRuntimeException
{
    public VersionConflictException() { }

    public VersionConflictException(string message) : base(message) { }

    public VersionConflictException(string message, Exception inner) : base(message, inner) { }

    public VersionConflictException(GrainId grain, long expectedVersion)
        : base($"Write of {grain} refused: the stored version is no longer {expectedVersion}. The activation was deactivated.")
    {
        Grain = grain;
        ExpectedVersion = expectedVersion;
    }

    public GrainId Grain { get; }

    public long ExpectedVersion { get; }
}

/// <summary>The silo is stopping (or stopped) and takes no new calls.</summary>
public sealed class SiloUnavailableException : GrainRuntimeException
{
    public SiloUnavailableException() : base("The silo is not running.") { }

    public SiloUnavailableException(string message) : base(message) { }

    public SiloUnavailableException(string message, Exception inner) : base(message, inner) { }
}
