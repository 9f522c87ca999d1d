using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Members.MembersApi;

namespace PointsMall.Api.Tests.Validation;

/// <summary>
/// The framework's request validation answers like the rest of the API: a 400 <c>validation_failed</c> problem with
/// the API's title and detail and every faulty field under its JSON name (nested ones with their index, a header by
/// its name), and nothing is changed.
/// </summary>
public sealed class RequestValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_body_with_several_faults_names_each_field_once_in_camel_case()
    {
        var client = api.CreateClient();

        var problem = await FieldsAsync(await client.PostAsJsonAsync("/api/v1/auth/register", new { phone = "123", email = "not-an-address", password = "short", displayName = "校验" }));

        Assert.Equal(["email", "password", "phone"], problem.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("A mainland China mobile number.", Assert.Single(problem["phone"]));
    }

    [Fact]
    public async Task A_rule_across_fields_is_reported_on_the_field_it_concerns()
    {
        var client = api.CreateClient();

        var problem = await FieldsAsync(await client.PostAsJsonAsync("/api/v1/auth/register", new { password = "member-password-1", displayName = "校验" }));

        Assert.Equal("Give a phone number or an e-mail address.", Assert.Single(Assert.Single(problem).Value));
        Assert.Equal("phone", problem.Keys.Single());
    }

    [Fact]
    public async Task A_refused_redemption_reports_body_and_header_faults_together_and_changes_nothing()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Validated", pointsPrice = 10, stock = 5 });
        var (memberId, member) = await api.MemberWithPointsAsync(100);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/redemptions")
        {
            Content = JsonContent.Create(new { productId = product, quantity = 0, payment = "card", addressId = "has space" }),
        };
        request.Headers.Add("Idempotency-Key", "two words");
        var problem = await FieldsAsync(await member.SendAsync(request));

        Assert.Equal(["Idempotency-Key", "addressId", "payment", "quantity"], problem.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(100, await api.BalanceAsync(memberId));
        Assert.Equal(5, (await api.StockAsync(product)).Available);
        Assert.Equal(0, (await ShopKit.GetJsonAsync(member, "/api/v1/me/orders")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Faults_inside_lists_are_named_with_their_index()
    {
        var admin = await api.AdminClientAsync();
        var body = new { name = "Listed faults", cost = 10, tiers = new object[] { new { name = "ok", probability = 0.1, stock = 1 }, new { name = "", probability = 1.5, stock = -1 } } };

        var problem = await FieldsAsync(await admin.PostAsJsonAsync("/api/v1/admin/lotteries", body));

        Assert.Equal(["tiers[1].name", "tiers[1].probability", "tiers[1].stock"], problem.Keys.Order(StringComparer.Ordinal));
        Assert.Empty((await ShopKit.GetJsonAsync(admin, "/api/v1/admin/lotteries")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_rule_of_the_domain_across_list_items_is_reported_on_the_list()
    {
        var admin = await api.AdminClientAsync();
        var before = await (await admin.GetAsync("/api/v1/admin/rules")).Content.ReadAsStringAsync();
        var body = new { tiers = new[] { new { tier = "Silver", minPoints = 0, multiplier = 1.0m }, new { tier = "Regular", minPoints = 100, multiplier = 1.2m } } };

        var problem = await FieldsAsync(await admin.PutAsJsonAsync("/api/v1/admin/rules", body));

        Assert.Equal("tiers", Assert.Single(problem).Key);
        Assert.Equal(before, await (await admin.GetAsync("/api/v1/admin/rules")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_list_item_missing_a_field_is_reported_alone_and_the_list_rule_waits_for_it()
    {
        var admin = await api.AdminClientAsync();
        var body = new { tiers = new object[] { new { minPoints = 0, multiplier = 1.0m }, new { tier = "Silver", minPoints = 0, multiplier = 1.2m } } };

        var problem = await FieldsAsync(await admin.PutAsJsonAsync("/api/v1/admin/rules", body));

        Assert.Equal("tiers[0].tier", Assert.Single(problem).Key);
    }

    [Fact]
    public async Task Query_parameters_are_checked_by_their_names()
    {
        var problem = await FieldsAsync(await api.CreateClient().GetAsync("/api/v1/products?page=0&pageSize=1000&sort=cheapest&category=Food"));

        Assert.Equal(["category", "page", "pageSize", "sort"], problem.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("One of name, points_asc, points_desc, newest, recommended.", Assert.Single(problem["sort"]));
    }

    [Fact]
    public async Task A_product_refused_for_its_fields_is_not_created()
    {
        var admin = await api.AdminClientAsync();
        var name = "never-" + Guid.NewGuid().ToString("n")[..8];

        var problem = await FieldsAsync(await admin.PostAsJsonAsync("/api/v1/admin/products", new { name, pointsPrice = -1, stock = 1, images = new[] { "" }, requiredTier = "Platinum" }));

        Assert.Equal(["images", "pointsPrice", "requiredTier"], problem.Keys.Order(StringComparer.Ordinal));
        var found = await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/products?q={name}");
        Assert.Equal(0, found.GetProperty("total").GetInt32());
    }

    /// <summary>Asserts the validation problem's shape and returns its errors by field.</summary>
    private static async Task<Dictionary<string, string[]>> FieldsAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
        Assert.Equal("The request is not valid.", problem.GetProperty("detail").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
