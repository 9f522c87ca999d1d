using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Messages;
using PointsMall.Contracts.Orders;
using PointsMall.Grains.Messages;
using PointsMall.Grains.Tests.Orders;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Messages;

/// <summary>The inbox, announcements by tier, and the notices grains publish, through the outbox to inbox and push.</summary>
public sealed class InboxTests
{
    [Fact]
    public async Task A_notice_is_kept_once_newest_first_and_pushed_once()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var inbox = silo.Grain<IInboxGrain>("m-1");
        var now = silo.Time.GetUtcNow();
        var older = new MemberNotice("n-1", "m-1", NoticeKinds.PrizeWon, "Won", "A mug", null, now.AddMinutes(-5));
        var newer = new MemberNotice("n-2", "m-1", NoticeKinds.OrderShipped, "Shipped", "SF1", "/orders/o-1", now);

        Assert.True(await inbox.DeliverAsync(newer));
        Assert.True(await inbox.DeliverAsync(older));
        Assert.False(await inbox.DeliverAsync(newer with { Title = "again" }));

        var page = await inbox.ListAsync(new InboxQuery(null, 1, 10));
        Assert.Equal((2, 2), (page.Total, page.Unread));
        Assert.Equal(["n-2", "n-1"], page.Items.Select(i => i.Id));
        Assert.Equal("Shipped", page.Items[0].Title);
        var pushed = silo.Services.GetRequiredService<SandboxNotificationSender>();
        await Eventually.ReadAsync(() => Task.FromResult(pushed.Sent.Count(n => n.MemberId == "m-1")), n => n == 2, "both notices pushed");
        Assert.Equal(1, await inbox.MarkReadAsync(new MarkRead(["n-2"], null)));
        Assert.Equal(["n-1"], (await inbox.ListAsync(new InboxQuery(null, 1, 10, UnreadOnly: true))).Items.Select(i => i.Id));
        Assert.Equal(2, pushed.Sent.Count(n => n.MemberId == "m-1"));
    }

    [Fact]
    public async Task The_inbox_keeps_the_newest_notices_up_to_its_capacity()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var inbox = silo.Grain<IInboxGrain>("m-1");
        var start = silo.Time.GetUtcNow();
        for (var i = 0; i < IInboxGrain.Capacity + 5; i++)
        {
            await inbox.DeliverAsync(new MemberNotice($"n-{i}", "m-1", NoticeKinds.PrizeWon, "Won", "x", null, start.AddSeconds(i)));
        }

        var page = await inbox.ListAsync(new InboxQuery(null, 1, 1));
        Assert.Equal((IInboxGrain.Capacity, $"n-{IInboxGrain.Capacity + 4}"), (page.Total, page.Items[0].Id));
    }

    [Fact]
    public async Task Announcements_reach_the_tiers_they_name_until_they_expire_or_are_withdrawn()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var announcements = silo.Grain<IAnnouncementsGrain>(IAnnouncementsGrain.Key);
        var now = silo.Time.GetUtcNow();
        Assert.True((await announcements.PublishAsync(new Announcement("an-all", "Hello", "To everyone", null, now, null))).Succeeded);
        Assert.True((await announcements.PublishAsync(new Announcement("an-gold", "Gold day", "For gold", ["gold", "金卡会员"], now, now.AddDays(1)))).Succeeded);
        Assert.Equal("validation_failed", (await announcements.PublishAsync(new Announcement("an-bad", "x", "y", ["Platinum"], now, null))).Refusal?.Code);
        Assert.Equal("validation_failed", (await announcements.PublishAsync(new Announcement("an-bad", " ", "y", null, now, null))).Refusal?.Code);
        Assert.Equal(["Gold"], (await announcements.ListAsync()).Single(a => a.Id == "an-gold").Tiers);
        var inbox = silo.Grain<IInboxGrain>("m-1");

        async Task<string[]> SeenAsync(string tier) => [.. (await inbox.ListAsync(new InboxQuery(tier, 1, 10))).Items.Select(i => i.Id)];
        Assert.Equal(["an-all"], (await SeenAsync("Regular")).Order());
        Assert.Equal(["an-all", "an-gold"], (await SeenAsync("Gold")).Order());

        Assert.Equal(0, await inbox.MarkReadAsync(new MarkRead(null, "Gold")));
        Assert.All((await inbox.ListAsync(new InboxQuery("Gold", 1, 10))).Items, i => Assert.True(i.Read));
        silo.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(["an-all"], await SeenAsync("Gold"));
        Assert.True(await announcements.WithdrawAsync("an-all"));
        Assert.False(await announcements.WithdrawAsync("an-all"));
        Assert.Empty(await SeenAsync("Gold"));
    }

    [Fact]
    public async Task Shipping_an_order_and_reaching_a_tier_tell_the_member_through_the_outbox()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 100);
        await ProductAsync(silo, Product("kettle", points: 50), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        Assert.True((await order.PlaceAsync(Points("m1", "kettle"))).Succeeded);
        Assert.True((await order.ShipAsync(new ShipOrder("SF Express", "SF123"))).Succeeded);
        Assert.True((await member.EarnAsync(new EarnPoints("big-purchase", 1_500, "purchase", "a big purchase"))).Succeeded);

        var inbox = silo.Grain<IInboxGrain>("m1");
        var page = await Eventually.ReadAsync(() => inbox.ListAsync(new InboxQuery(null, 1, 10)), p => p.Total == 2, "the shipment and tier notices in the inbox");
        var shipped = page.Items.Single(i => i.Kind == NoticeKinds.OrderShipped);
        Assert.Equal(("shipped:o1", "/orders/o1"), (shipped.Id, shipped.Link));
        Assert.Contains("SF Express SF123", shipped.Body);
        Assert.Equal("tier_reached", page.Items.Single(i => i.Id.StartsWith("tier:Silver:", StringComparison.Ordinal)).Kind);
    }
}
