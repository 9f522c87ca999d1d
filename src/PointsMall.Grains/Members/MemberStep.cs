namespace PointsMall.Grains.Members;

/// <summary>
/// What a member operation changes, for the grain to apply: the state to keep (the same instance when nothing
/// changed), the expiry event to publish, and where the expiry reminder moves. The code that decides returns this
/// instead of touching the runtime, so it carries over unchanged to whichever runtime hosts the grain.
/// </summary>
internal sealed record MemberChange(MemberState State)
{
    public PointsExpired? Expired { get; init; }

    /// <summary>Null when the reminder stays where it is.</summary>
    public ReminderMove? Reminder { get; init; }
}

/// <summary>The expiry reminder's new due time; null removes it (no open lot expires).</summary>
internal sealed record ReminderMove(DateTimeOffset? Due);

/// <summary>A change and the reply that goes with it.</summary>
internal sealed record MemberStep<TResult>(MemberChange Change, TResult Result)
{
    public MemberStep(MemberState state, TResult result)
        : this(new MemberChange(state), result)
    {
    }
}
