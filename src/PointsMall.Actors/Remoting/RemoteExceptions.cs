namespace PointsMall.Actors.Remoting;

/// <summary>
/// An exception a grain threw in a silo in another process. Grain exceptions are bugs or refusals the grain
/// chose to throw; their types are not rebuilt across the wire, so this carries the original type name and
/// message. (Runtime faults are rebuilt as their own types: <see cref="GrainCallTimeoutException"/>,
/// <see cref="StorageCommitException"/>, <see cref="VersionConflictException"/>, <see cref="SiloUnavailableException"/>.)
/// </summary>
public sealed class RemoteGrainException : Exception
{
    public RemoteGrainException() { }

    public RemoteGrainException(string message) : base(message) { }

    public RemoteGrainException(string message, Exception inner) : base(message, inner) { }

    public RemoteGrainException(string remoteType, string message)
        : base(message)
    {
        RemoteType = remoteType;
    }

    /// <summary>Full name of the exception type the grain threw, e.g. <c>System.InvalidOperationException</c>.</summary>
    public string RemoteType { get; } = "";

    public override string ToString() => $"{GetType().FullName} ({RemoteType}): {Message}";
}

/// <summary>
/// The silo gateway refused the call itself: a grain type it does not host, a method it does not know (the
/// API and silo were built from different contracts), or arguments it could not read.
/// </summary>
public sealed class GrainGatewayException : GrainRuntimeException
{
    public GrainGatewayException() { }

    public GrainGatewayException(string message) : base(message) { }

    public GrainGatewayException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The JSON arguments of a remote call do not fit the method (the gateway answers 400).</summary>
internal sealed class RemoteArgumentsException : Exception
{
    public RemoteArgumentsException() { }

    public RemoteArgumentsException(string message) : base(message) { }

    public RemoteArgumentsException(string message, Exception inner) : base(message, inner) { }
}
