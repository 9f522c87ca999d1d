using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using PointsMall.Domain.Operators;
using Xunit;

namespace PointsMall.Api.Tests.Security;

/// <summary>Who may call a route.</summary>
public enum Access
{
    /// <summary>Anyone, signed in or not.</summary>
    Anyone,

    /// <summary>A signed-in member, on the member's own data.</summary>
    Member,

    /// <summary>A signed-in member, on a resource that belongs to one member: anyone else is told it does not exist.</summary>
    Owner,

    /// <summary>An operator.</summary>
    Admin,

    /// <summary>Anyone signed in, member or operator (signing out).</summary>
    SignedIn,

    /// <summary>Machine endpoints with their own rule (<c>/metrics</c>: loopback or configured; its own tests).</summary>
    Operations,
}

/// <summary>
/// One table says who may call each route. Every route the app maps must have a row (a new route without one fails
/// here), every row must match the route's authorization metadata, and each row is tried as anonymous, as a member
/// and as an operator; an owned resource is tried as another member too.
/// </summary>
public sealed class AuthorizationMatrixTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly Dictionary<string, Access> Rules = new(StringComparer.Ordinal)
    {
        // The mall's and the console's pages, health, the API description.
        ["GET /"] = Access.Anyone,
        ["GET /admin/{**rest}"] = Access.Anyone,
        ["GET /checkin"] = Access.Anyone,
        ["GET /login"] = Access.Anyone,
        ["GET /lottery/{**rest}"] = Access.Anyone,
        ["GET /me"] = Access.Anyone,
        ["GET /me/draws"] = Access.Anyone,
        ["GET /inbox"] = Access.Anyone,
        ["GET /coupons"] = Access.Anyone,
        ["GET /tasks"] = Access.Anyone,
        ["GET /rules"] = Access.Anyone,
        ["GET /reset"] = Access.Anyone,
        ["GET /login-code"] = Access.Anyone,
        ["GET /orders/{**rest}"] = Access.Anyone,
        ["GET /points"] = Access.Anyone,
        ["GET /products/{**rest}"] = Access.Anyone,
        ["GET /register"] = Access.Anyone,
        ["GET /search"] = Access.Anyone,
        ["* /health/live"] = Access.Anyone,
        ["* /health/ready"] = Access.Anyone,
        ["GET /openapi/{documentName}.json"] = Access.Anyone,
        ["* /metrics"] = Access.Operations,

        // Browsing, signing up and in, the payment provider's callback (signed) and the sandbox payment page.
        ["GET /api/v1/products/"] = Access.Anyone,
        ["GET /api/v1/products/{id}"] = Access.Anyone,
        ["GET /api/v1/products/flash"] = Access.Anyone,
        ["GET /api/v1/products/popular"] = Access.Anyone,
        ["GET /api/v1/coupons"] = Access.Anyone,
        ["GET /api/v1/surveys/"] = Access.Anyone,
        ["GET /api/v1/surveys/{id}"] = Access.Anyone,
        ["POST /api/v1/partners/shares"] = Access.Anyone,
        ["GET /api/v1/rules"] = Access.Anyone,
        ["GET /api/v1/sections"] = Access.Anyone,
        ["GET /api/v1/images/{name}"] = Access.Anyone,
        ["GET /api/v1/lotteries/"] = Access.Anyone,
        ["GET /api/v1/lotteries/{id}"] = Access.Anyone,
        ["GET /api/v1/lotteries/{id}/fairness"] = Access.Anyone,
        ["GET /api/v1/lotteries/{id}/draws"] = Access.Anyone,
        ["POST /api/v1/auth/login"] = Access.Anyone,
        ["POST /api/v1/auth/register"] = Access.Anyone,
        ["POST /api/v1/auth/login-code"] = Access.Anyone,
        ["POST /api/v1/auth/password-reset"] = Access.Anyone,
        ["POST /api/v1/auth/password-reset/confirm"] = Access.Anyone,
        ["POST /api/v1/auth/refresh"] = Access.Anyone,
        ["POST /api/v1/payments/callback"] = Access.Anyone,
        ["GET /api/v1/sandbox/pay"] = Access.Anyone,
        ["POST /api/v1/sandbox/pay"] = Access.Anyone,

        // The member's own account.
        ["GET /api/v1/me/"] = Access.Member,
        ["POST /api/v1/me/password"] = Access.Member,
        ["PUT /api/v1/me/profile"] = Access.Member,
        ["GET /api/v1/me/addresses"] = Access.Member,
        ["POST /api/v1/me/addresses"] = Access.Member,
        ["PUT /api/v1/me/addresses/{id}"] = Access.Member,
        ["DELETE /api/v1/me/addresses/{id}"] = Access.Member,
        ["GET /api/v1/me/points"] = Access.Member,
        ["GET /api/v1/me/points/expiring"] = Access.Member,
        ["GET /api/v1/me/sign-in"] = Access.Member,
        ["POST /api/v1/me/sign-in"] = Access.Member,
        ["GET /api/v1/me/surveys/"] = Access.Member,
        ["POST /api/v1/me/surveys/{id}/answers"] = Access.Member,
        ["GET /api/v1/me/orders"] = Access.Member,
        ["GET /api/v1/me/draws"] = Access.Member,
        ["POST /api/v1/redemptions"] = Access.Member,
        ["POST /api/v1/lotteries/{id}/draws"] = Access.Member,
        ["GET /api/v1/me/inbox/"] = Access.Member,
        ["GET /api/v1/me/coupons/"] = Access.Member,
        ["GET /api/v1/me/recommendations"] = Access.Member,
        ["POST /api/v1/me/coupons/{couponId}/claim"] = Access.Member,
        ["POST /api/v1/me/inbox/read"] = Access.Member,
        ["POST /api/v1/me/login/code"] = Access.Member,
        ["POST /api/v1/me/login/"] = Access.Member,

        // The caller's own session, whoever signed in.
        ["POST /api/v1/auth/logout"] = Access.SignedIn,

        // One member's order.
        ["GET /api/v1/orders/{id}"] = Access.Owner,
        ["POST /api/v1/orders/{id}/cancel"] = Access.Owner,
        ["POST /api/v1/orders/{id}/confirm-receipt"] = Access.Owner,
        ["POST /api/v1/orders/{id}/payment"] = Access.Owner,
        ["GET /api/v1/orders/{id}/tracking"] = Access.Owner,

        // A member's own order, with a body validated first (another member's is a 404 once it is valid: ShippingApiTests).
        ["POST /api/v1/orders/{id}/address"] = Access.Member,

        // The operators' console.
        ["GET /api/v1/admin/products"] = Access.Admin,
        ["POST /api/v1/admin/products"] = Access.Admin,
        ["GET /api/v1/admin/products/{id}"] = Access.Admin,
        ["PUT /api/v1/admin/products/{id}"] = Access.Admin,
        ["POST /api/v1/admin/products/{id}/shelf"] = Access.Admin,
        ["POST /api/v1/admin/products/{id}/restock"] = Access.Admin,
        ["POST /api/v1/admin/products/{id}/stock"] = Access.Admin,
        ["GET /api/v1/admin/alerts/low-stock"] = Access.Admin,
        ["GET /api/v1/admin/orders/"] = Access.Admin,
        ["GET /api/v1/admin/orders/{id}"] = Access.Admin,
        ["POST /api/v1/admin/orders/{id}/ship"] = Access.Admin,
        ["POST /api/v1/admin/orders/{id}/cancel"] = Access.Admin,
        ["POST /api/v1/admin/orders/ship-bulk"] = Access.Admin,
        ["GET /api/v1/admin/orders/{id}/tracking"] = Access.Admin,
        ["GET /api/v1/admin/carriers"] = Access.Admin,
        ["POST /api/v1/admin/sections/"] = Access.Admin,
        ["PUT /api/v1/admin/sections/{id}"] = Access.Admin,
        ["DELETE /api/v1/admin/sections/{id}"] = Access.Admin,
        ["POST /api/v1/admin/images"] = Access.Admin,
        ["POST /api/v1/admin/rules/preview"] = Access.Admin,
        ["GET /api/v1/admin/analytics/"] = Access.Admin,
        ["GET /api/v1/admin/analytics/export"] = Access.Admin,
        ["GET /api/v1/admin/members"] = Access.Admin,
        ["GET /api/v1/admin/members/{id}"] = Access.Admin,
        ["GET /api/v1/admin/members/{id}/points"] = Access.Admin,
        ["POST /api/v1/admin/members/{id}/points"] = Access.Admin,
        ["POST /api/v1/admin/members/bulk"] = Access.Admin,
        ["POST /api/v1/admin/members/{id}/sessions/revoke"] = Access.Admin,
        ["POST /api/v1/admin/earn"] = Access.Admin,
        ["GET /api/v1/admin/rules"] = Access.Admin,
        ["PUT /api/v1/admin/rules"] = Access.Admin,
        ["GET /api/v1/admin/campaigns"] = Access.Admin,
        ["POST /api/v1/admin/campaigns"] = Access.Admin,
        ["DELETE /api/v1/admin/campaigns/{id}"] = Access.Admin,
        ["GET /api/v1/admin/lotteries/"] = Access.Admin,
        ["POST /api/v1/admin/lotteries/"] = Access.Admin,
        ["PUT /api/v1/admin/lotteries/{id}"] = Access.Admin,
        ["GET /api/v1/admin/lotteries/{id}/draws"] = Access.Admin,
        ["POST /api/v1/admin/lotteries/{id}/close"] = Access.Admin,
        ["GET /api/v1/admin/announcements/"] = Access.Admin,
        ["GET /api/v1/admin/coupons/"] = Access.Admin,
        ["GET /api/v1/admin/products/{id}/codes/"] = Access.Admin,
        ["POST /api/v1/admin/products/{id}/codes/"] = Access.Admin,
        ["GET /api/v1/admin/surveys/"] = Access.Admin,
        ["PUT /api/v1/admin/surveys/{id}"] = Access.Admin,
        ["GET /api/v1/admin/surveys/{id}/ranking"] = Access.Admin,
        ["POST /api/v1/admin/surveys/{id}/award"] = Access.Admin,
        ["PUT /api/v1/admin/coupons/{id}"] = Access.Admin,
        ["POST /api/v1/admin/announcements/"] = Access.Admin,
        ["DELETE /api/v1/admin/announcements/{id}"] = Access.Admin,
        ["GET /api/v1/admin/me/"] = Access.Admin,
        ["POST /api/v1/admin/me/password"] = Access.Admin,
        ["GET /api/v1/admin/roles"] = Access.Admin,
        ["GET /api/v1/admin/operators/"] = Access.Admin,
        ["POST /api/v1/admin/operators/"] = Access.Admin,
        ["PUT /api/v1/admin/operators/{login}"] = Access.Admin,
        ["POST /api/v1/admin/operators/{login}/disable"] = Access.Admin,
        ["POST /api/v1/admin/operators/{login}/enable"] = Access.Admin,
        ["POST /api/v1/admin/operators/{login}/password"] = Access.Admin,
        ["GET /api/v1/admin/audit"] = Access.Admin,
    };

    /// <summary>
    /// The permission each admin route needs beyond reading the console (<see cref="Permission.ConsoleRead"/>, which
    /// every role has): the columns per operator role follow from <see cref="OperatorRoles"/>.
    /// </summary>
    private static readonly Dictionary<string, Permission> Needs = new(StringComparer.Ordinal)
    {
        ["POST /api/v1/admin/products"] = Permission.CatalogWrite,
        ["PUT /api/v1/admin/products/{id}"] = Permission.CatalogWrite,
        ["POST /api/v1/admin/products/{id}/shelf"] = Permission.CatalogWrite,
        ["POST /api/v1/admin/products/{id}/restock"] = Permission.StockWrite,
        ["POST /api/v1/admin/products/{id}/stock"] = Permission.StockWrite,
        ["POST /api/v1/admin/orders/{id}/ship"] = Permission.OrdersWrite,
        ["POST /api/v1/admin/orders/{id}/cancel"] = Permission.OrdersWrite,
        ["POST /api/v1/admin/orders/ship-bulk"] = Permission.OrdersWrite,
        ["GET /api/v1/admin/carriers"] = Permission.OrdersWrite,
        ["POST /api/v1/admin/sections/"] = Permission.CatalogWrite,
        ["PUT /api/v1/admin/sections/{id}"] = Permission.CatalogWrite,
        ["DELETE /api/v1/admin/sections/{id}"] = Permission.CatalogWrite,
        ["POST /api/v1/admin/images"] = Permission.CatalogWrite,
        ["GET /api/v1/admin/members"] = Permission.MembersRead,
        ["GET /api/v1/admin/members/{id}"] = Permission.MembersRead,
        ["GET /api/v1/admin/members/{id}/points"] = Permission.MembersRead,
        ["POST /api/v1/admin/members/{id}/points"] = Permission.MemberSupport,
        ["POST /api/v1/admin/members/{id}/sessions/revoke"] = Permission.MemberSupport,
        ["POST /api/v1/admin/members/bulk"] = Permission.MembersManage,
        ["POST /api/v1/admin/earn"] = Permission.MembersManage,
        ["PUT /api/v1/admin/rules"] = Permission.RulesWrite,
        ["POST /api/v1/admin/campaigns"] = Permission.CampaignsWrite,
        ["DELETE /api/v1/admin/campaigns/{id}"] = Permission.CampaignsWrite,
        ["POST /api/v1/admin/lotteries/"] = Permission.LotteriesWrite,
        ["PUT /api/v1/admin/lotteries/{id}"] = Permission.LotteriesWrite,
        ["POST /api/v1/admin/lotteries/{id}/close"] = Permission.LotteriesWrite,
        ["POST /api/v1/admin/announcements/"] = Permission.CampaignsWrite,
        ["PUT /api/v1/admin/coupons/{id}"] = Permission.CampaignsWrite,
        ["POST /api/v1/admin/products/{id}/codes/"] = Permission.StockWrite,
        ["PUT /api/v1/admin/surveys/{id}"] = Permission.CampaignsWrite,
        ["POST /api/v1/admin/surveys/{id}/award"] = Permission.CampaignsWrite,
        ["DELETE /api/v1/admin/announcements/{id}"] = Permission.CampaignsWrite,
        ["GET /api/v1/admin/operators/"] = Permission.OperatorsManage,
        ["POST /api/v1/admin/operators/"] = Permission.OperatorsManage,
        ["PUT /api/v1/admin/operators/{login}"] = Permission.OperatorsManage,
        ["POST /api/v1/admin/operators/{login}/disable"] = Permission.OperatorsManage,
        ["POST /api/v1/admin/operators/{login}/enable"] = Permission.OperatorsManage,
        ["POST /api/v1/admin/operators/{login}/password"] = Permission.OperatorsManage,
        ["GET /api/v1/admin/audit"] = Permission.AuditRead,
    };

    private static Permission Need(string key) => Needs.GetValueOrDefault(key, Permission.ConsoleRead);

    [Fact]
    public void Every_route_has_exactly_one_access_rule_and_its_metadata_enforces_it()
    {
        var routes = Routes().ToList();

        var missing = routes.Select(r => r.Key).Where(k => !Rules.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "Routes without a row in the authorization matrix:\n" + string.Join('\n', missing));
        var stale = Rules.Keys.Union(Needs.Keys).Except(routes.Select(r => r.Key)).ToList();
        Assert.True(stale.Count == 0, "Rows for routes the app no longer maps:\n" + string.Join('\n', stale));
        Assert.All(Needs.Keys, k => Assert.Equal(Access.Admin, Rules[k]));

        foreach (var (key, endpoint) in routes)
        {
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var expected = Rules[key] switch
            {
                Access.Admin => policies.Contains(ApiSetup.AdminPolicy) && !anonymous
                    && (Need(key) == Permission.ConsoleRead || policies.Contains(OperatorPermissions.PolicyName(Need(key)))),
                Access.Member or Access.Owner => policies.Contains(ApiSetup.MemberPolicy) && !anonymous,
                Access.SignedIn => policies.Count == 1 && policies.Contains(null) && !anonymous,
                Access.Anyone => policies.Count == 0 || anonymous,
                _ => true,
            };
            Assert.True(expected, $"{key} is {Rules[key]} in the matrix, but its metadata says policies [{string.Join(", ", policies)}], anonymous {anonymous}");
        }
    }

    [Fact]
    public async Task Each_route_answers_each_caller_as_the_matrix_says_and_never_with_a_fault()
    {
        using var anonymous = factory.CreateClient();
        var (_, member) = await factory.NewMemberAsync();
        using var admin = await factory.AdminClientAsync();

        foreach (var (key, access) in Rules.Where(r => r.Value != Access.Operations))
        {
            var (method, path) = Concrete(key);
            var asAnonymous = await SendAsync(anonymous, method, path);

            // Signing out ends the caller's session: those rows are tried with sessions of their own.
            var asMember = await SendAsync(access == Access.SignedIn ? (await factory.NewMemberAsync()).Client : member, method, path);
            var asAdmin = await SendAsync(access == Access.SignedIn ? await factory.AdminClientAsync() : admin, method, path);
            var (anonymousOk, memberOk, adminOk) = access switch
            {
                Access.Admin => (asAnonymous == HttpStatusCode.Unauthorized, asMember == HttpStatusCode.Forbidden, Allowed(asAdmin)),
                Access.Member or Access.Owner => (asAnonymous == HttpStatusCode.Unauthorized, Allowed(asMember), asAdmin == HttpStatusCode.Forbidden),
                Access.SignedIn => (asAnonymous == HttpStatusCode.Unauthorized, Allowed(asMember), Allowed(asAdmin)),
                // Open routes do not tell callers apart (login answers everyone's bad credentials alike).
                _ => ((int)asAnonymous < 500, asMember == asAnonymous, asAdmin == asAnonymous),
            };
            Assert.True(anonymousOk && memberOk && adminOk,
                $"{key} ({access}): anonymous {(int)asAnonymous}, member {(int)asMember}, operator {(int)asAdmin}");
        }
    }

    [Fact]
    public async Task Each_operator_role_reaches_exactly_the_admin_routes_its_permissions_name()
    {
        var failures = new List<string>();
        foreach (var role in Enum.GetValues<OperatorRole>())
        {
            var (_, client) = await factory.OperatorClientAsync(OperatorRoles.NameOf(role));
            using (client)
            {
                foreach (var key in Rules.Where(r => r.Value == Access.Admin).Select(r => r.Key))
                {
                    // Changing one's own password ends one's session: tried last, on a client of its own, below.
                    if (key == "POST /api/v1/admin/me/password")
                    {
                        continue;
                    }

                    var (method, path) = Concrete(key);
                    var status = await SendAsync(client, method, path);
                    var allowed = OperatorRoles.Allows(role, Need(key));
                    if (allowed ? !Allowed(status) : status != HttpStatusCode.Forbidden)
                    {
                        failures.Add($"{OperatorRoles.NameOf(role)} → {key}: {(int)status}, expected {(allowed ? "allowed" : "403")}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, "Operator roles against the permission matrix:\n" + string.Join('\n', failures));
    }

    [Fact]
    public async Task Another_member_is_told_an_order_does_not_exist_on_every_owned_route()
    {
        using var admin = await factory.AdminClientAsync();
        var productId = await ShopKit.CreateProductAsync(admin, new { name = "权限矩阵 Matrix", brand = "PM", category = "Physical", pointsPrice = 10, stock = 5 });
        var (_, owner) = await factory.MemberWithPointsAsync(100);
        var (_, other) = await factory.NewMemberAsync();
        var orderId = (await ShopKit.RedeemOkAsync(owner, productId)).GetProperty("id").GetString()!;

        foreach (var key in Rules.Where(r => r.Value == Access.Owner).Select(r => r.Key))
        {
            var (method, path) = Concrete(key, orderId);
            Assert.True(await SendAsync(other, method, path) == HttpStatusCode.NotFound, $"{key}: another member's call did not answer 404");
        }

        Assert.Equal(HttpStatusCode.OK, await SendAsync(owner, HttpMethod.Get, $"/api/v1/orders/{orderId}"));
    }

    /// <summary>Let through: anything but a refusal of the caller, and never a fault.</summary>
    private static bool Allowed(HttpStatusCode status) => status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)status < 500;

    private IEnumerable<(string Key, RouteEndpoint Endpoint)> Routes()
        => factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => ($"{m} {e.RoutePattern.RawText}", e)));

    private static (HttpMethod Method, string Path) Concrete(string key, string id = "no-such-id")
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var method = key[..space] == "*" ? HttpMethod.Get : new HttpMethod(key[..space]);
        var path = key[(space + 1)..].Replace("{**rest}", "x", StringComparison.Ordinal).Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{id}", id, StringComparison.Ordinal).Replace("{login}", "no-such-operator", StringComparison.Ordinal);
        return (method, path);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (method == HttpMethod.Post || method == HttpMethod.Put)
        {
            request.Content = JsonContent.Create(new { });
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
