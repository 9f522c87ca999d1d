using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;

namespace PointsMall.Grains.Members;

/// <summary>The member grain's refusals, shaped as its replies.</summary>
internal static class MemberRefusals
{
    public static Problem NotFound => Problem.From(Refusal.Of(RefusalCode.NotFound, "member_not_found"));

    public static PointsResult PointsNotFound() => new(0, 0, false, NotFound);

    public static PointsResult PointsInvalid(string detail, PointsAccount account, DateTimeOffset now) =>
        new(0, account.Balance(now), false, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), detail));

    /// <summary>The validation refusal for <paramref name="detail"/>, or null when there is nothing wrong.</summary>
    public static PointsResult? PointsInvalidIf(string? detail, PointsAccount account, DateTimeOffset now) =>
        detail is null ? null : PointsInvalid(detail, account, now);

    public static MemberResult Member(RefusalCode code, string detail) => new(null, Problem.From(Refusal.Of(code, detail)));
}
