using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Stock;

namespace PointsMall.Grains.Catalog;

/// <summary>What operators do to a product: create it, change its details and shelf, restock it and set its stock after a count.</summary>
public sealed partial class ProductGrain
{
    public Task<ProductResult> CreateAsync(CreateProduct command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Product is not null)
        {
            return Refused(RefusalCode.Conflict, "product_exists");
        }

        if (ValidateDetails(command.Product) is { } invalid)
        {
            return Task.FromResult(new ProductResult(null, invalid));
        }

        if (command.InitialStock < 0 || command.LowStockThreshold < 0)
        {
            return Refused(RefusalCode.ValidationFailed, "initial stock and low-stock threshold must not be negative");
        }

        if (command.Product.CodePool && command.InitialStock != 0)
        {
            return Refused(RefusalCode.ValidationFailed, "a code-pool product starts with no stock: its stock comes from the codes uploaded");
        }

        var product = command.Product;
        var now = time.GetUtcNow();
        var stock = StockUnit.Create(GrainKey, command.InitialStock, command.LowStockThreshold, product.Listed);
        Apply(product, stock, now);
        PublishChanged();
        return Succeeded();
    }

    public Task<ProductView?> GetAsync() => Task.FromResult(View());

    public Task<ProductResult> UpdateAsync(UpdateProduct command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var details = command.Details;
        if (state.State is not { Product: { } current, Stock: { } stock })
        {
            return Refused(RefusalCode.NotFound, "no_product");
        }

        if (ValidateDetails(details) is { } invalid)
        {
            return Task.FromResult(new ProductResult(View(), invalid));
        }

        if (details.CodePool != current.CodePool)
        {
            return Refused(RefusalCode.Conflict, "code_pool_fixed");
        }

        if (command.LowStockThreshold < 0)
        {
            return Refused(RefusalCode.ValidationFailed, "the low-stock threshold cannot be negative");
        }

        // The stock unit enforces the shelf flag, so it must follow the details.
        var next = stock.WithOnShelf(details.Listed);
        if (command.LowStockThreshold is { } threshold)
        {
            next = next.WithLowStockThreshold(threshold);
        }

        Apply(details, next, time.GetUtcNow());
        PublishChanged();
        return Succeeded();
    }

    public Task<ProductResult> SetOnShelfAsync(bool onShelf)
    {
        if (state.State is not { Product: { } product, Stock: { } stock })
        {
            return Refused(RefusalCode.NotFound, "no_product");
        }

        if (product.Listed == onShelf && stock.OnShelf == onShelf)
        {
            return Succeeded();
        }

        // One shelf flag as far as callers can tell: the details' Listed (checked by CheckRedeemable and shown
        // in snapshots) and the stock unit's OnShelf (checked by Reserve) always move together.
        Apply(product with { Listed = onShelf }, stock.WithOnShelf(onShelf), time.GetUtcNow());
        PublishChanged();
        return Succeeded();
    }

    public Task<ProductResult> RestockAsync(Restock command)
        => state.State.Product is { CodePool: true } ? Refused(RefusalCode.Conflict, "stock_from_codes") : Restock(command);

    public Task<ProductResult> AddCodeStockAsync(Restock command)
        => state.State.Product is { CodePool: false } ? Refused(RefusalCode.Conflict, "not_a_code_pool") : Restock(command);

    private Task<ProductResult> Restock(Restock command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State is not { Product: { } product, Stock: { } stock })
        {
            return Refused(RefusalCode.NotFound, "no_product");
        }

        if (string.IsNullOrWhiteSpace(command.OperationId) || command.Quantity <= 0)
        {
            return Refused(RefusalCode.ValidationFailed, "restock needs an operation id and a positive quantity");
        }

        var now = time.GetUtcNow();
        var outcome = stock.Restock(command.OperationId, command.Quantity, now);
        if (outcome.Replayed)
        {
            return Succeeded();
        }

        Apply(product, outcome.Unit, now);
        PublishStockEvents(stock, outcome, now);
        PublishChanged();
        return Succeeded();
    }

    public Task<ProductResult> SetStockAsync(SetStock command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State is not { Product: { } product, Stock: { } stock })
        {
            return Refused(RefusalCode.NotFound, "no_product");
        }

        if (string.IsNullOrWhiteSpace(command.OperationId) || string.IsNullOrWhiteSpace(command.Reason))
        {
            return Refused(RefusalCode.ValidationFailed, "setting stock needs an operation id and a reason");
        }

        if (product.CodePool && command.Total > stock.Total)
        {
            // More units than codes could be sold: only an upload adds stock here (a count may still write some off).
            return Refused(RefusalCode.Conflict, "stock_from_codes");
        }

        var now = time.GetUtcNow();
        var outcome = stock.SetTotal(command.OperationId, command.Total, now);
        if (outcome.Refusal is { } refusal)
        {
            return Task.FromResult(new ProductResult(View(), Problem.From(refusal)));
        }

        if (!outcome.Replayed)
        {
            Apply(product, outcome.Unit, now);
            PublishStockEvents(stock, outcome, now);
            PublishChanged();
        }

        return Succeeded();
    }

    private Problem? ValidateDetails(Product? product)
    {
        if (product is null)
        {
            return new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "product details are required");
        }

        var errors = product.Validate().ToList();
        if (!string.Equals(product.Id, GrainKey, StringComparison.Ordinal))
        {
            errors.Add("id must be the product grain's key");
        }

        return errors.Count == 0 ? null : new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), string.Join("; ", errors));
    }
}
