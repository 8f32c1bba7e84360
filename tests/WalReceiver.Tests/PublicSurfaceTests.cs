using System.Reflection;
using WalReceiver.Hosting;

namespace WalReceiver.Tests;

/// <summary>
/// The library's public surface is small and chosen: what a test or a tool needs to stream WAL, wait for it and read it
/// back, and to reason about LSNs and file names. Everything else is internal, so it can change without breaking users.
/// A type that becomes public by accident fails here; one made public on purpose is added to the list.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] Approved =
    [
        "WalReceiver.Diagnostics.FailureKind",
        "WalReceiver.Diagnostics.WalReceiverException",
        "WalReceiver.Hosting.WalArchiveReceiver",
        "WalReceiver.Hosting.WalArchiveReceiverOptions",
        "WalReceiver.Storage.WalArchive",
        "WalReceiver.Storage.WalArchiveSegment",
        "WalReceiver.Wal.Lsn",
        "WalReceiver.Wal.LsnLocation",
        "WalReceiver.Wal.WalFileName",
        "WalReceiver.Wal.WalFileRange",
        "WalReceiver.Wal.WalRecordInfo",
        "WalReceiver.Wal.WalSegmentSize",
    ];

    private static Assembly Library => typeof(WalArchiveReceiver).Assembly;

    [Fact]
    public void Exported_types_are_exactly_the_approved_ones()
    {
        var exported = Library.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Approved, exported);
    }

    [Fact]
    public void No_public_member_takes_or_returns_an_Npgsql_type()
    {
        var offenders = new List<string>();
        foreach (var type in Library.GetExportedTypes())
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (SignatureTypes(member).Any(t => t.Namespace?.StartsWith("Npgsql", StringComparison.Ordinal) == true))
                    offenders.Add($"{type.Name}.{member.Name}");
            }
        }

        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_public_async_method_takes_a_cancellation_token()
    {
        var offenders = Library.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.Name != nameof(IAsyncDisposable.DisposeAsync))
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> SignatureTypes(MemberInfo member) => member switch
    {
        MethodBase method => method.GetParameters().Select(p => p.ParameterType)
            .Concat(method is MethodInfo info ? [info.ReturnType] : []).SelectMany(Flatten),
        PropertyInfo property => Flatten(property.PropertyType),
        FieldInfo field => Flatten(field.FieldType),
        EventInfo e => Flatten(e.EventHandlerType!),
        _ => [],
    };

    // The type and everything inside it: generic arguments (Task<T>, IReadOnlyList<T>) and element types (T[], T?).
    private static IEnumerable<Type> Flatten(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()!))
                yield return inner;
        }

        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
        {
            foreach (var inner in Flatten(argument))
                yield return inner;
        }
    }
}
