namespace PointsMall.Actors.Remoting;

/// <summary>
/// The silo gateway's protocol, over HTTP/2 (cleartext, prior knowledge, many calls multiplexed per connection):
/// <c>POST /silo/v1/calls</c> with the grain type, the key (URI-escaped) and the method id in headers and the
/// arguments as one JSON array in the body. 200 carries the result as JSON, 204 answers a void method, 500 with
/// <see cref="FaultMediaType"/> carries a <see cref="GrainFault"/>, 400/401/404 are the gateway's own refusals
/// (problem+json). <c>GET /silo/v1/ready</c> answers 200 when the silo takes calls and reaches its store.
/// </summary>
internal static class GrainWire
{
    public const string CallsPath = "/silo/v1/calls";
    public const string ReadyPath = "/silo/v1/ready";
    public const string GrainTypeHeader = "pm-grain-type";
    public const string GrainKeyHeader = "pm-grain-key";
    public const string MethodHeader = "pm-method";
    public const string SecretHeader = "pm-gateway-secret";
    public const string FaultMediaType = "application/vnd.pointsmall.grain-fault+json";

    public const string TimeoutFault = "timeout";
    public const string StorageCommitFault = "storage-commit";
    public const string VersionConflictFault = "version-conflict";
    public const string SiloUnavailableFault = "silo-unavailable";
    public const string RuntimeFault = "runtime";
    public const string ThrownFault = "grain";

    public static GrainFault ToFault(Exception exception) => new(
        exception switch
        {
            GrainCallTimeoutException => TimeoutFault,
            StorageCommitException => StorageCommitFault,
            VersionConflictException => VersionConflictFault,
            SiloUnavailableException => SiloUnavailableFault,
            GrainRuntimeException => RuntimeFault,
            _ => ThrownFault,
        },
        exception.GetType().FullName ?? exception.GetType().Name,
        exception.Message);

    /// <summary>Engine faults come back as their own types, so callers (the API's 503 mapping) treat them as in-process.</summary>
    public static Exception FromFault(GrainFault fault) => fault.Kind switch
    {
        TimeoutFault => new GrainCallTimeoutException(fault.Message),
        StorageCommitFault => new StorageCommitException(fault.Message),
        VersionConflictFault => new VersionConflictException(fault.Message),
        SiloUnavailableFault => new SiloUnavailableException(fault.Message),
        RuntimeFault => new GrainRuntimeException(fault.Message),
        _ => new RemoteGrainException(fault.Type, fault.Message),
    };
}

/// <summary>A failed call as it crosses the wire: what kind of failure, the original exception type and its message.</summary>
internal sealed record GrainFault(string Kind, string Type, string Message);
