using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Hosting;

/// <summary>Registers the streaming service.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the streaming service, its options (bound from the <c>WalReceiver</c> section and validated when the host
    /// starts) and the <see cref="RunOutcome"/> the caller reads after the host stops.
    /// </summary>
    public static IServiceCollection AddWalReceiver(this IServiceCollection services)
    {
        services.AddOptions<WalReceiverOptions>().BindConfiguration(WalReceiverOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WalReceiverOptions>, WalReceiverOptionsValidator>());
        AddCommon(services);
        services.AddSingleton<IHostedService>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<WalReceiverOptions>>().Value;
            return CreateService(sp, o, stopHostWhenDone: true);
        });
        return services;
    }

    /// <summary>The services every mode shares: time, the outcome, the source registry and the metrics.</summary>
    internal static void AddCommon(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunOutcome>();
        services.TryAddSingleton<SourceRegistry>();
        services.TryAddSingleton<WalReceiverMetrics>();
        // Long enough for a last fsync and status update; the host's default (30 s) would also do, but say it.
        services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(30));
    }

    /// <summary>The supervisor of one source.</summary>
    internal static IHostedService CreateService(IServiceProvider sp, WalReceiverOptions o, bool stopHostWhenDone) => new WalStreamingService(
        o,
        new NpgsqlWalSourceFactory(o.ConnectionString, o.StatusInterval),
        sp.GetRequiredService<TimeProvider>(),
        sp.GetRequiredService<RunOutcome>(),
        sp.GetRequiredService<IHostApplicationLifetime>(),
        sp.GetRequiredService<ILoggerFactory>().CreateLogger("WalReceiver." + o.Name),
        sp.GetRequiredService<SourceRegistry>().Get(o.Name),
        sp.GetRequiredService<WalReceiverMetrics>(),
        stopHostWhenDone);
}
