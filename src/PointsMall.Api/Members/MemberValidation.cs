using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Members;

namespace PointsMall.Api.Members;

/// <summary>Request checks of the member routes: each fault is reported per field, before any grain is called.</summary>
internal static class MemberValidation
{
    public const int MaxRecipientLength = 40;
    public const int MaxRegionPartLength = 40;
    public const int MaxDetailLength = 200;

    public static ProblemHttpResult Problem(string field, string message)
        => ApiProblems.Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult? Paging(int? page, int? pageSize, int maxPageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > 100_000)
        {
            errors["page"] = ["From 1."];
        }

        if (pageSize is < 1 || pageSize > maxPageSize)
        {
            errors["pageSize"] = [$"Between 1 and {maxPageSize}."];
        }

        return errors.Count > 0 ? ApiProblems.Validation(errors) : null;
    }

    /// <summary>A reference or operation id: present, at most <paramref name="maxLength"/>, printable ASCII without spaces.</summary>
    public static bool IsToken(string? value, int maxLength)
        => !string.IsNullOrEmpty(value) && value.Length <= maxLength && value.All(c => c is > ' ' and <= '~');

    public static ProblemHttpResult? Address(AddressRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Recipient) || request.Recipient.Trim().Length > MaxRecipientLength)
        {
            errors["recipient"] = [$"Required, at most {MaxRecipientLength} characters."];
        }

        if (ContactValidation.NormalisePhone(request.Phone) is null)
        {
            errors["phone"] = ["A mainland China mobile number."];
        }

        var split = !string.IsNullOrWhiteSpace(request.Province) || !string.IsNullOrWhiteSpace(request.City);
        if (split)
        {
            foreach (var (field, value, required) in new[] { ("province", request.Province, true), ("city", request.City, true), ("district", request.District, false) })
            {
                if ((required && string.IsNullOrWhiteSpace(value)) || value?.Trim().Length > MaxRegionPartLength)
                {
                    errors[field] = [required ? $"Required, at most {MaxRegionPartLength} characters." : $"At most {MaxRegionPartLength} characters."];
                }
            }
        }
        else if (string.IsNullOrWhiteSpace(request.Region) || request.Region.Trim().Length > 3 * MaxRegionPartLength)
        {
            errors["province"] = ["Give province and city (and district), or region as \"province city district\"."];
        }

        if (string.IsNullOrWhiteSpace(request.Detail) || request.Detail.Trim().Length > MaxDetailLength)
        {
            errors["detail"] = [$"Required, at most {MaxDetailLength} characters."];
        }

        if (!string.IsNullOrWhiteSpace(request.PostalCode) && (request.PostalCode.Trim().Length != 6 || !request.PostalCode.Trim().All(char.IsAsciiDigit)))
        {
            errors["postalCode"] = ["Six digits."];
        }

        return errors.Count > 0 ? ApiProblems.Validation(errors) : null;
    }

    public static SaveAddress ToSaveAddress(string? id, AddressRequest r)
    {
        var split = !string.IsNullOrWhiteSpace(r.Province) || !string.IsNullOrWhiteSpace(r.City);
        var region = split
            ? string.Join(' ', new[] { r.Province, r.City, r.District }.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()))
            : r.Region!.Trim();
        return new SaveAddress(id, r.Recipient!.Trim(), r.Phone!, region, r.Detail!.Trim(), r.IsDefault ?? false)
        {
            Province = split ? r.Province!.Trim() : null,
            City = split ? r.City!.Trim() : null,
            District = split ? r.District?.Trim() : null,
            PostalCode = string.IsNullOrWhiteSpace(r.PostalCode) ? null : r.PostalCode.Trim(),
        };
    }
}
