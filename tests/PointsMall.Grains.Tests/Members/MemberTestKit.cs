using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Rules;
using PointsMall.Grains.Members;
using PointsMall.Grains.Tests.Support;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;
using PointsMall.Storage;
using PointsMall.Storage.Sqlite;
using Xunit;

namespace PointsMall.Grains.Tests.Members;

/// <summary>Shared set-up for the member tests: registration, rule changes, expiry events, a reminder hold.</summary>
internal static class MemberTestKit
{
    public const string Password = "s3cret-pass";

    public static async Task<IMemberGrain> RegisterAsync(GrainsSilo silo, string memberId, string? phone = null, string? email = null)
    {
        var grain = silo.Grain<IMemberGrain>(memberId);
        var result = await grain.RegisterAsync(new RegisterMember(phone, email ?? $"{memberId}@example.com", Password, "Member " + memberId));
        Assert.True(result.Succeeded, result.Refusal?.Detail);
        return grain;
    }

    /// <summary>Replaces the default programme's rules (based on the current version).</summary>
    public static async Task<ProgramRules> SetRulesAsync(GrainsSilo silo, Func<ProgramRules, ProgramRules> change)
    {
        var program = silo.Grain<IProgramGrain>(Programs.Default);
        var result = await program.UpdateAsync(change(await program.GetAsync()));
        Assert.True(result.Succeeded, result.Refusal?.Detail);
        return result.Rules!;
    }

    /// <summary>
    /// Starts a silo whose "points" events are collected. Reminders never fire on their own in tests (GrainsSilo gives
    /// Orleans an hour-long retry period): a test moves the grain clock and delivers the reminder with
    /// <see cref="GrainsSilo.FireReminderAsync"/>, so it can look at a member between a lot's expiry instant and the
    /// reminder's run.
    /// </summary>
    public static Task<GrainsSilo> StartWithExpiryEventsAsync(ExpiryEvents events, string? databasePath = null, FakeTimeProvider? time = null) =>
        GrainsSilo.StartAsync(databasePath, time, builder => builder
            .AddOutboxSubscription("test-points", MemberGrain.PointsStream, (_, e, _) =>
            {
                events.Add(e);
                return Task.CompletedTask;
            }));

    public static async Task<MemberState> ReadStoredStateAsync(string databasePath, string memberId)
    {
        await using var store = new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = databasePath });
        await store.InitializeAsync(CancellationToken.None);
        var stored = await store.ReadStateAsync(new StateKey("member", memberId), CancellationToken.None);
        Assert.NotNull(stored);
        return System.Text.Json.JsonSerializer.Deserialize<MemberState>(stored.Payload, GroupCommitJson.Options)!;
    }
}

/// <summary>Collects PointsExpired events and lets a test wait for the n-th one.</summary>
internal sealed class ExpiryEvents
{
    private readonly ConcurrentQueue<PointsExpired> _events = new();
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<PointsExpired> All => [.. _events];

    public void Add(StreamEvent streamEvent)
    {
        if (!streamEvent.Is<PointsExpired>())
        {
            return;
        }

        _events.Enqueue(streamEvent.Deserialize<PointsExpired>());
        lock (_lock)
        {
            foreach (var waiter in _waiters.Where(w => w.Count <= _events.Count).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public Task WaitForAsync(int count)
    {
        lock (_lock)
        {
            if (_events.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
