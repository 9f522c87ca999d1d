using System.Collections.Immutable;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Contracts.Coupons;
using PointsMall.Domain.Coupons;
using PointsMall.Domain.Lottery;
using PointsMall.Domain.Tasks;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Demo;

/// <summary>One demo product and its initial stock.</summary>
public sealed record DemoProduct(Product Product, long Stock, long LowStockThreshold);

/// <summary>A demo member: a known login and password, and the points history it starts with.</summary>
public sealed record DemoMember(string Id, string Phone, string DisplayName, long WelcomeBonus, ImmutableArray<long> PurchasesFen, long Grant);

/// <summary>
/// The demo data: a catalogue in four sections across physical, virtual and service goods with Chinese and English
/// names and their own pictures, two flash drops (one live, one counting down), a three-tier lottery, a double-points campaign
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

    public const string Digital = "s-demo-digital";
    public const string Living = "s-demo-living";
    public const string Vouchers = "s-demo-vouchers";
    public const string Services = "s-demo-services";

    /// <summary>The catalogue's sections, in the order the shop shows them.</summary>
    public static IReadOnlyList<SectionView> Sections { get; } =
    [
        new(Digital, "数码 Digital", 1),
        new(Living, "生活 Home & living", 2),
        new(Vouchers, "卡券 Vouchers", 3),
        new(Services, "服务 Services", 4),
    ];

    public static IReadOnlyList<DemoProduct> Products(DateTimeOffset now) =>
    [
        Item("demo-mi-band", "小米手环8 Mi Band 8", "Xiaomi 小米", ProductCategory.Physical, 2990, 0, 50,
            "1.62英寸AMOLED屏，150+运动模式，16天续航。 1.62\" AMOLED, 150+ workout modes, 16-day battery.", "mi-band", Digital, featured: true, priority: 90,
            spec: "标准版 Standard", colourName: "曜石黑 Black"),
        Item("demo-earbuds", "无线降噪耳机 Wireless ANC earbuds", "Huawei 华为", ProductCategory.Physical, 5990, 0, 30,
            "主动降噪，30小时续航。 Active noise cancelling, 30 h battery.", "earbuds", Digital, featured: true, priority: 80, spec: "FreeBuds", colourName: "陶瓷白 White"),
        Item("demo-earbuds-cash", "无线降噪耳机（积分+现金）Earbuds, points + cash", "Huawei 华为", ProductCategory.Physical, 3990, 9900, 20,
            "同款耳机，3990积分加¥99。 The same earbuds for 3,990 points plus ¥99.", "earbuds", Digital, model: "FreeBuds Pro"),
        Item("demo-thermos", "品牌保温杯 Thermos vacuum flask", "Thermos 膳魔师", ProductCategory.Physical, 1200, 0, 100,
            "500ml 不锈钢真空保温，12小时保温。 500 ml stainless steel, keeps hot for 12 h.", "thermos", Living, featured: true, priority: 70, spec: "500ml", colourName: "森林绿 Forest green"),
        Item("demo-backpack", "商务双肩包 Business backpack", "Samsonite 新秀丽", ProductCategory.Physical, 4500, 0, 40,
            "15.6英寸电脑仓，防泼水面料。 15.6\" laptop sleeve, water-repellent.", "backpack", Living, model: "15.6\"", colourName: "岩石灰 Slate grey"),
        Item("demo-power-bank", "充电宝 10000mAh power bank", "Anker 安克", ProductCategory.Physical, 990, 0, 8,
            "22.5W快充，轻薄便携。 22.5 W fast charge, slim. 库存紧张 Low stock.", "power-bank", Digital, lowStock: 10),
        Item("demo-starbucks", "星巴克咖啡券 Starbucks ¥30 voucher", "Starbucks 星巴克", ProductCategory.Virtual, 300, 0, 500,
            "全国门店通用，兑换后发放券码。 Valid in all stores in China; a code is issued on redemption.", "coffee", Vouchers, featured: true, priority: 60),
        Item("demo-video-vip", "视频会员月卡 Video membership, 1 month", "iQIYI 爱奇艺", ProductCategory.Virtual, 250, 0, 1000,
            "黄金VIP会员31天。 31 days of Gold VIP.", "video-vip", Vouchers),
        Item("demo-phone-credit", "话费充值 ¥50 mobile top-up", "China Mobile 中国移动", ProductCategory.Virtual, 520, 0, 300,
            "三网通用，兑换后发放充值码。 All carriers; a top-up code is issued.", "phone-credit", Vouchers),
        Item("demo-car-wash", "洗车服务 Car wash", "途虎养车 Tuhu", ProductCategory.Service, 400, 0, 200,
            "标准精洗一次，全国门店可用。 One standard wash at any partner garage.", "car-wash", Services),
        Item("demo-cleaning", "家政保洁2小时 Home cleaning, 2 hours", "58到家 58 Home", ProductCategory.Service, 1500, 0, 60,
            "专业保洁上门服务。 A professional cleaner at your door.", "cleaning", Services),
        Item("demo-health-check", "体检套餐 Health check package", "美年大健康 Meinian", ProductCategory.Service, 8000, 19900, 15,
            "金卡及以上会员专享。 For Gold members and above.", "health-check", Services, requiredTier: Tier.Gold),

        // Flash drops (限时抢兑): limited stock, one per member; one opens a few minutes after the first start.
        Item(UpcomingDropId, "限时抢兑 · 平板电脑 Flash drop: tablet", "Xiaomi 小米", ProductCategory.Physical, 9999, 0, 10,
            "整点开抢，每人限兑1台。 Opens soon; one per member.", "tablet", Digital,
            flash: new FlashDrop(now + UpcomingDropDelay, 1)),
        Item(LiveDropId, "限时抢兑 · 空气炸锅 Flash drop: air fryer", "Midea 美的", ProductCategory.Physical, 1999, 0, 20,
            "正在抢兑，每人限兑1台。 Live now; one per member.", "air-fryer", Living,
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

    public const string CouponId = "demo-welcome-coupon";

    /// <summary>A coupon any shopper may claim: 100 points off an order of 1,000 or more, for 30 days.</summary>
    public static ConfigureCoupon WelcomeCoupon() => new(new CouponTerms("新人券 满1000减100 Welcome: 100 off 1,000", 100, 1_000, null, 30), 10_000, 1, null, null);

    public const string QuizId = "demo-points-quiz";

    /// <summary>A three-question quiz about the programme: 10 points per right answer, a bonus for the best three.</summary>
    public static Survey PointsQuiz() => new(SurveyKind.Quiz, "积分知识问答 Points quiz",
    [
        new SurveyQuestion("签到连续 7 天会怎样？What does a 7-day sign-in streak bring?", ["没什么 Nothing", "额外奖励积分 A bonus", "积分清零 Points reset"], 1),
        new SurveyQuestion("积分可以兑换什么？What can points buy?", ["商品和抽奖 Products and draws", "只能看 Nothing"], 0),
        new SurveyQuestion("积分会过期吗？Do points expire?", ["会，按规则 Yes, by the rules", "永不 Never"], 0),
    ], 10, [200, 100, 50], null, null);

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
        string picture, string section, bool featured = false, int priority = 0, string spec = "", string model = "", string colourName = "",
        Tier? requiredTier = null, FlashDrop? flash = null, long lowStock = 5)
    {
        // The pictures are the shop's own files (wwwroot/demo): drawn for the demo, served with the site.
        var product = new Product(id, name, brand, spec, model, colourName, [$"/demo/{picture}.svg"], description, category,
            new Price(points, cashFen), flash is null ? null : 1, requiredTier, null, null, true, flash)
        {
            Section = section,
            Featured = featured,
            Priority = priority,
        };
        return new DemoProduct(product, stock, lowStock);
    }
}
