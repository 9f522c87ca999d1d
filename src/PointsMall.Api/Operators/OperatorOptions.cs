using PointsMall.Domain.Operators;

namespace PointsMall.Api.Operators;

/// <summary>Section <c>Operators</c>.</summary>
public sealed class OperatorOptions
{
    /// <summary>The largest points adjustment (either way) an operator other than a super admin may make at once.</summary>
    public long AdjustmentLimit { get; set; } = OperatorRoles.DefaultAdjustmentLimit;
}
