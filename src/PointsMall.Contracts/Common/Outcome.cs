using PointsMall.Domain.Common;

namespace PointsMall.Contracts.Common;

/// <summary>
/// A business refusal as it crosses a grain boundary: a stable code (the HTTP API's problem <c>code</c>) and a
/// human-readable detail. Refusals are answers, not exceptions: a grain that refuses changes nothing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Problem([property: Id(0)] string Code, [property: Id(1)] string Detail)
{
    public static Problem From(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new Problem(refusal.CodeName, refusal.Detail);
    }
}
