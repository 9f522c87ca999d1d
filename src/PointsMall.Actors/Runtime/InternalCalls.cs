using PointsMall.Actors.Invocation;
using PointsMall.Storage;
using PointsMall.Actors.Streams;

namespace PointsMall.Actors.Runtime;

/// <summary>A request to deactivate, queued behind the calls already waiting so none of them is lost.</summary>
internal sealed class DeactivationCall(DeactivationReason reason, long lastUsedTicksWhenRequested) : GrainCall
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DeactivationReason Reason { get; } = reason;

    public long LastUsedTicksWhenRequested { get; } = lastUsedTicksWhenRequested;

    public Task Done => _done.Task;

    public override string MethodName => "Deactivate";

    internal override bool IsUserCall => false;

    internal override Task StartAsync(object grain) => throw new InvalidOperationException("Deactivation is handled by the activation loop.");

    internal override void Complete() => _done.TrySetResult();

    internal override void Fail(Exception exception) => _done.TrySetResult();
}

/// <summary>A timer tick, run as a turn.</summary>
internal sealed class TimerCall(ActivationTimer timer) : GrainCall
{
    public override string MethodName => "Timer";

    internal override bool IsUserCall => false;

    internal override Task StartAsync(object grain) => timer.TickAsync();

    internal override void Complete()
    {
    }

    internal override void Fail(Exception exception) => timer.OnFailed(exception);
}

/// <summary>A due reminder, run as a turn; its acknowledgement is written with the turn's changes.</summary>
internal sealed class ReminderCall(ReminderService service, ReminderRecord reminder, DateTimeOffset firedAt) : GrainCall
{
    public ReminderRecord Reminder { get; } = reminder;

    public override string MethodName => $"ReceiveReminderAsync({Reminder.Name})";

    internal override bool IsUserCall => false;

    internal override Task StartAsync(object grain)
        => grain is IRemindable remindable
            ? remindable.ReceiveReminderAsync(Reminder.Name, new ReminderTick(Reminder.DueAt, firedAt, Reminder.Period))
            : Task.FromException(new InvalidOperationException($"{grain.GetType().Name} has reminders but does not implement IRemindable."));

    internal override void OnTurnSucceeded(ActivationData activation)
    {
        var write = Reminder.Period is { } period
            ? new ReminderWrite(Reminder.Grain, Reminder.Name, ReminderWriteKind.AdvanceIfDue, ReminderService.NextDue(Reminder.DueAt, period, firedAt), period, Reminder.DueAt)
            : new ReminderWrite(Reminder.Grain, Reminder.Name, ReminderWriteKind.DeleteIfDue, Reminder.DueAt, null, Reminder.DueAt);
        activation.AddReminderWrite(write);
    }

    internal override void Complete() => service.OnDelivered(Reminder);

    internal override void Fail(Exception exception) => service.OnDeliveryFailed(Reminder, exception);
}

/// <summary>A stream event delivered to an implicitly subscribed grain.</summary>
internal sealed class StreamCall(StreamEvent streamEvent) : GrainCall
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;

    internal override bool TimesOut => true;

    public override string MethodName => nameof(IStreamSubscriber.OnStreamEventAsync);

    internal override Task StartAsync(object grain)
        => grain is IStreamSubscriber subscriber
            ? subscriber.OnStreamEventAsync(streamEvent)
            : Task.FromException(new InvalidOperationException($"{grain.GetType().Name} is subscribed to a stream but does not implement IStreamSubscriber."));

    internal override void Complete() => _done.TrySetResult();

    internal override void Fail(Exception exception) => _done.TrySetException(exception);
}
