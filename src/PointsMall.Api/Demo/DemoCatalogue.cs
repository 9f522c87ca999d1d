using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Lottery;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Demo;

/// <summary>One demo product and its initial stock.</summary>
public sealed record DemoProduct(Product Product, long Stock, long LowStockThreshold);

/// <summary>A demo member: a known login and password, and the points history it starts with.</summary>
public sealed record DemoMember(string Id, string Phone, string DisplayName, long WelcomeBonus, ImmutableArray<long> PurchasesFen, long Grant);

/// <summary>
/// The demo data: a catalogue across physical, virtual and service goods with Chinese
/// and English names, two flash drops (one live, one counting down), a three-tier lottery, a double-points campaign
/// and three members. Fixed ids make seeding idempotent: everything is created only when its id is free.
/// </summary>
public static class DemoCatalogue
{
    public const string Password = "demo1234";
    public const string LotteryId = "demo-lucky-wheel";
    public const string CampaignId = "demo-double-points";
    public const string UpcomingDropId = "demo-flash-tablet";
    public const string LiveDropId = "demo-flash-airfryer";

    /// <summary>How long after the first start the upcoming drop opens, so the shop shows a countdown.</summary>
    public static readonly TimeSpan UpcomingDropDelay = TimeSpan.FromMinutes(5);

    public static IReadOnlyList<DemoProduct> Products(DateTimeOffset now) =>
    [
        Item("demo-mi-band", "小米手环8 Mi Band 8", "Xiaomi 小米", ProductCategory.Physical, 2990, 0, 50,
            "1.62英寸AMOLED屏，150+运动模式，16天续航。 1.62\" AMOLED, 150+ workout modes, 16-day battery.", "#ff6900", "⌚",
            spec: "标准版 Standard", colourName: "曜石黑 Black"),
        Item("demo-earbuds", "无线降噪耳机 Wireless ANC earbuds", "Huawei 华为", ProductCategory.Physical, 5990, 0, 30,
            "主动降噪，30小时续航。 Active noise cancelling, 30 h battery.", "#1f6feb", "🎧", spec: "FreeBuds", colourName: "陶瓷白 White"),
        Item("demo-earbuds-cash", "无线降噪耳机（积分+现金）Earbuds, points + cash", "Huawei 华为", ProductCategory.Physical, 3990, 9900, 20,
            "同款耳机，3990积分加¥99。 The same earbuds for 3,990 points plus ¥99.", "#1f6feb", "🎧"),
        Item("demo-thermos", "品牌保温杯 Thermos vacuum flask", "Thermos 膳魔师", ProductCategory.Physical, 1200, 0, 100,
            "500ml 不锈钢真空保温，12小时保温。 500 ml stainless steel, keeps hot for 12 h.", "#2da44e", "🥤", spec: "500ml"),
        Item("demo-backpack", "商务双肩包 Business backpack", "Samsonite 新秀丽", ProductCategory.Physical, 4500, 0, 40,
            "15.6英寸电脑仓，防泼水面料。 15.6\" laptop sleeve, water-repellent.", "#6e7781", "🎒"),
        Item("demo-power-bank", "充电宝 10000mAh power bank", "Anker 安克", ProductCategory.Physical, 990, 0, 8,
            "22.5W快充，轻薄便携。 22.5 W fast charge, slim. 库存紧张 Low stock.", "#8250df", "🔋", lowStock: 10),
        Item("demo-starbucks", "星巴克咖啡券 Starbucks ¥30 voucher", "Starbucks 星巴克", ProductCategory.Virtual, 300, 0, 500,
            "全国门店通用，兑换后发放券码。 Valid in all stores in China; a code is issued on redemption.", "#00704a", "☕"),
        Item("demo-video-vip", "视频会员月卡 Video membership, 1 month", "iQIYI 爱奇艺", ProductCategory.Virtual, 250, 0, 1000,
            "黄金VIP会员31天。 31 days of Gold VIP.", "#00be06", "🎬"),
        Item("demo-phone-credit", "话费充值 ¥50 mobile top-up", "China Mobile 中国移动", ProductCategory.Virtual, 520, 0, 300,
            "三网通用，兑换后发放充值码。 All carriers; a top-up code is issued.", "#0969da", "📱"),
        Item("demo-car-wash", "洗车服务 Car wash", "途虎养车 Tuhu", ProductCategory.Service, 400, 0, 200,
            "标准精洗一次，全国门店可用。 One standard wash at any partner garage.", "#0550ae", "🚗"),
        Item("demo-cleaning", "家政保洁2小时 Home cleaning, 2 hours", "58到家 58 Home", ProductCategory.Service, 1500, 0, 60,
            "专业保洁上门服务。 A professional cleaner at your door.", "#bf8700", "🧹"),
        Item("demo-health-check", "体检套餐 Health check package", "美年大健康 Meinian", ProductCategory.Service, 8000, 19900, 15,
            "金卡及以上会员专享。 For Gold members and above.", "#cf222e", "🩺", requiredTier: Tier.Gold),

        // Flash drops (限时抢兑): limited stock, one per member; one opens a few minutes after the first start.
        Item(UpcomingDropId, "限时抢兑 · 平板电脑 Flash drop: tablet", "Xiaomi 小米", ProductCategory.Physical, 9999, 0, 10,
            "整点开抢，每人限兑1台。 Opens soon; one per member.", "#d1242f", "📲",
            flash: new FlashDrop(now + UpcomingDropDelay, 1)),
        Item(LiveDropId, "限时抢兑 · 空气炸锅 Flash drop: air fryer", "Midea 美的", ProductCategory.Physical, 1999, 0, 20,
            "正在抢兑，每人限兑1台。 Live now; one per member.", "#fb8500", "🍟",
            flash: new FlashDrop(now - TimeSpan.FromMinutes(1), 1)),
    ];

    /// <summary>1st prize electronics, 2nd brand goods, 3rd coupons; the rest is no prize.</summary>
    public static PrizeTable LotteryTable() => new(1, 50, 2,
    [
        new PrizeTier("first", 1, "一等奖 · 无线耳机 1st prize: earbuds", "demo-earbuds", 0.01, 5),
        new PrizeTier("second", 2, "二等奖 · 品牌保温杯 2nd prize: Thermos flask", "demo-thermos", 0.05, 30),
        new PrizeTier("third", 3, "三等奖 · 星巴克咖啡券 3rd prize: Starbucks voucher", "demo-starbucks", 0.20, 300),
    ]);

    public const string LotteryName = "幸运大转盘 Lucky wheel";

    public static Campaign DoublePoints(DateTimeOffset now)
        => new(CampaignId, "双倍积分周 Double points week", 2.0m, now - TimeSpan.FromDays(1), now + TimeSpan.FromDays(7));

    public static IReadOnlyList<DemoMember> Members { get; } =
    [
        new("m-demo-1", "13800000001", "张伟 Zhang Wei", 5000, [199_900, 58_800, 12_800], 10_000),
        new("m-demo-2", "13800000002", "李娜 Li Na", 1000, [32_800, 9_900], 500),
        new("m-demo-3", "13800000003", "王芳 Wang Fang", 100, [4_500], 0),
    ];

    private static DemoProduct Item(
        string id, string name, string brand, ProductCategory category, long points, long cashFen, long stock, string description,
        string hex, string glyph, string spec = "", string colourName = "", Tier? requiredTier = null, FlashDrop? flash = null,
        long lowStock = 5)
    {
        var product = new Product(id, name, brand, spec, "", colourName, [Image(name, hex, glyph)], description, category,
            new Price(points, cashFen), flash is null ? null : 1, requiredTier, null, null, true, flash);
        return new DemoProduct(product, stock, lowStock);
    }

    /// <summary>A placeholder picture as an inline SVG data URI: no network is needed to show the demo shop.</summary>
    private static string Image(string name, string hex, string glyph)
    {
        // The English part of a bilingual name: what follows its last CJK character.
        var lastCjk = name.AsSpan().LastIndexOfAnyInRange('\u2e80', '\uffef');
        var english = lastCjk >= 0 && lastCjk < name.Length - 1 ? name[(lastCjk + 1)..].Trim() : name;
        var label = System.Security.SecurityElement.Escape(english.Length > 28 ? english[..28] + "…" : english);
        var svg = string.Create(CultureInfo.InvariantCulture, $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{hex}"/><stop offset="1" stop-color="#ffffff"/></linearGradient></defs><rect width="400" height="400" rx="24" fill="url(#g)"/><text x="200" y="215" font-size="140" text-anchor="middle">{glyph}</text><text x="200" y="330" font-size="24" font-family="sans-serif" fill="#1f2328" text-anchor="middle">{label}</text></svg>
            """);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg));
    }
}
