using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Orders;

namespace PointsMall.Api.Orders;

/// <summary>
/// A warehouse's shipping list as CSV: a header row naming <c>orderId</c>, <c>carrier</c> and <c>trackingNumber</c>
/// (or 订单号, 快递公司, 运单号), then one order per row. At most <see cref="BulkShipping.MaxRows"/> rows.
/// </summary>
public sealed record BulkShipRequest([property: Required, StringLength(BulkShipping.MaxCsvLength, ErrorMessage = "At most {1} characters.")] string? Csv);

/// <summary>How one row went: <c>shipped</c> (or already shipped with this tracking number), else the refusal's code and detail.</summary>
public sealed record BulkShipLine(int Row, string? OrderId, bool Shipped, string? Code, string? Detail);

public sealed record BulkShipResponse(int Shipped, int Refused, IReadOnlyList<BulkShipLine> Lines);

/// <summary>
/// Ships many orders from one CSV (the packing list filled in by the warehouse). Each row is its own shipment: a bad
/// row is reported and the others still ship, and uploading the same file again ships nothing twice (an order
/// shipped with the same carrier and tracking number answers as shipped). CsvHelper reads the file: quoting, BOMs and
/// line endings from spreadsheet exports are its business.
/// </summary>
public static class BulkShipping
{
    public const int MaxCsvLength = 1_000_000;
    public const int MaxRows = 5_000;

    /// <summary>Shipments in flight at once: enough to hide the round trips, few enough for the order grains' store.</summary>
    private const int Parallelism = 16;

    public static async Task<Results<Ok<BulkShipResponse>, ProblemHttpResult>> ShipAsync(BulkShipRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        List<(int Row, ShipRow Ship)> rows;
        try
        {
            rows = Read(request.Csv!);
        }
        catch (Exception ex) when (ex is CsvHelperException or FormatException)
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["csv"] = [$"Not a shipping list: {FirstLine(ex.Message)}"] });
        }

        if (rows.Count > MaxRows)
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["csv"] = [$"At most {MaxRows} rows at once; this file has {rows.Count}."] });
        }

        var lines = new BulkShipLine[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, _) => lines[i] = await ShipRowAsync(grains, rows[i].Row, rows[i].Ship));
        var shipped = lines.Count(l => l.Shipped);
        return TypedResults.Ok(new BulkShipResponse(shipped, lines.Length - shipped, lines));
    }

    private static async Task<BulkShipLine> ShipRowAsync(IGrainFactory grains, int row, ShipRow ship)
    {
        var orderId = ship.OrderId?.Trim();
        var carrier = ship.Carrier?.Trim();
        var tracking = ship.TrackingNumber?.Trim();
        if (!Identifiers.IsToken(orderId))
        {
            return new BulkShipLine(row, orderId, false, ApiProblems.ValidationFailed, "orderId is missing or malformed.");
        }

        if (string.IsNullOrEmpty(carrier) || carrier.Length > 50 || string.IsNullOrEmpty(tracking) || tracking.Length > 50)
        {
            return new BulkShipLine(row, orderId, false, ApiProblems.ValidationFailed, "carrier and trackingNumber are required (at most 50 characters each).");
        }

        var result = await grains.GetGrain<IOrderGrain>(orderId!).ShipAsync(new ShipOrder(carrier, tracking));
        return result.Refusal is { } refusal
            ? new BulkShipLine(row, orderId, false, refusal.Code, refusal.Detail)
            : new BulkShipLine(row, orderId, true, null, null);
    }

    private static List<(int Row, ShipRow Ship)> Read(string csv)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            MissingFieldFound = null,
            HeaderValidated = null,
            BadDataFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        using var reader = new StringReader(csv);
        using var parser = new CsvReader(reader, configuration);
        parser.Context.RegisterClassMap<ShipRowMap>();
        if (!parser.Read() || !parser.ReadHeader())
        {
            throw new FormatException("the file is empty.");
        }

        var header = parser.HeaderRecord ?? [];
        if (!ShipRowMap.OrderIdNames.Any(n => header.Any(h => string.Equals(h.Trim(), n, StringComparison.OrdinalIgnoreCase))))
        {
            throw new FormatException("the header row must name orderId, carrier and trackingNumber (or 订单号, 快递公司, 运单号).");
        }

        var rows = new List<(int, ShipRow)>();
        while (parser.Read() && rows.Count <= MaxRows)
        {
            var row = parser.GetRecord<ShipRow>();
            if (row is { OrderId: null or "", Carrier: null or "", TrackingNumber: null or "" })
            {
                continue; // a blank line at the end of a spreadsheet export
            }

            rows.Add((parser.Parser.Row, row));
        }

        return rows;
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private sealed class ShipRow
    {
        public string? OrderId { get; set; }

        public string? Carrier { get; set; }

        public string? TrackingNumber { get; set; }
    }

    private sealed class ShipRowMap : ClassMap<ShipRow>
    {
        public static readonly string[] OrderIdNames = ["orderid", "订单号"];

        public ShipRowMap()
        {
            Map(r => r.OrderId).Name(OrderIdNames).Optional();
            Map(r => r.Carrier).Name("carrier", "快递公司").Optional();
            Map(r => r.TrackingNumber).Name("trackingnumber", "运单号").Optional();
        }
    }
}
