using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WalReceiver.Diagnostics;
using WalReceiver.Replication;

namespace WalReceiver.Hosting;

/// <summary>Registers the streaming service.</summary>
internal static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the streaming service, its options (bound from the <c>WalReceiver</c> section and validated when the host
    /// starts) and the <see cref="RunOutcome"/> the caller reads after the host stops.
    /// </summary>
    public static IServiceCollection AddWalReceiver(this IServiceCollection services)
    {
        services.AddOptions<WalReceiverOptions>().BindConfiguration(WalReceiverOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WalReceiverOptions>, WalReceiverOptionsValidator>());
        AddCommon(services, sources: 1);
        services.AddSingleton<IHostedService>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<WalReceiverOptions>>().Value;
            return CreateService(sp, o, sp.GetRequiredService<ILoggerFactory>().CreateLogger("WalReceiver"));
        });
        return services;
    }

    /// <summary>
    /// Adds the daemon: every configured source supervised on its own (one failing source does not stop the others),
    /// with its configuration bound from <c>WalReceiver</c> and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddWalReceiverDaemon(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new DaemonOptions();
        configuration.GetSection(WalReceiverOptions.Section).Bind(options);
        services.AddOptions<DaemonOptions>().BindConfiguration(WalReceiverOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaemonOptions>, DaemonOptionsValidator>());
        AddCommon(services, options.Sources.Count);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var index = i;
            services.AddSingleton<IHostedService>(sp =>
            {
                // validated by now: ValidateOnStart runs before hosted services are created
                var daemon = sp.GetRequiredService<IOptions<DaemonOptions>>().Value;
                var source = daemon.Sources[index];
                sp.GetRequiredService<SourceRegistry>().Get(source.Name);
                var receiver = SourceOptions.ToReceiverOptions(source, Environment.GetEnvironmentVariable);
                receiver.Verbose = daemon.LogSegments;
                // Each source logs under its own category, which the console shows as [name].
                return CreateService(sp, receiver, sp.GetRequiredService<ILoggerFactory>().CreateLogger(SourceCategoryPrefix + source.Name));
            });
            if (options.Sources[i].Slot is { } slot)
            {
                services.AddSingleton<IHostedService>(sp =>
                {
                    var source = sp.GetRequiredService<IOptions<DaemonOptions>>().Value.Sources[index];
                    return new SlotMonitor(SourceOptions.ToSqlConnectionString(source, Environment.GetEnvironmentVariable), slot,
                        sp.GetRequiredService<SourceRegistry>().Get(source.Name), sp.GetRequiredService<TimeProvider>(),
                        sp.GetRequiredService<ILoggerFactory>().CreateLogger(SourceCategoryPrefix + source.Name), source.SlotPollInterval);
                });
            }
        }

        return services;
    }

    /// <summary>The logging category prefix of a daemon source; the rest is the source's name.</summary>
    public const string SourceCategoryPrefix = "WalReceiver.Source.";

    /// <summary>The services every mode shares: time, the outcome, the source registry and the metrics.</summary>
    internal static void AddCommon(IServiceCollection services, int sources)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunOutcome>();
        services.TryAddSingleton(sp => new RunCompletion(sp.GetRequiredService<IHostApplicationLifetime>().StopApplication, sp.GetRequiredService<RunOutcome>(), sources));
        services.TryAddSingleton<SourceRegistry>();
        services.TryAddSingleton<WalReceiverMetrics>();
        services.Configure<HostOptions>(h => h.ShutdownTimeout = HostlessRun.ShutdownTimeout);
    }

    /// <summary>The supervisor of one source, from the host's services.</summary>
    internal static IHostedService CreateService(IServiceProvider sp, WalReceiverOptions o, ILogger logger)
    {
        NpgsqlLogging.Initialize(sp.GetRequiredService<ILoggerFactory>());
        return new WalStreamingService(
            o,
            NpgsqlSources(o),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<RunOutcome>(),
            sp.GetRequiredService<RunCompletion>(),
            logger,
            sp.GetRequiredService<SourceRegistry>().Get(o.Name),
            sp.GetRequiredService<WalReceiverMetrics>());
    }

    /// <summary>Connections to the source's server, with its status interval and receive timeout (0: wait forever).</summary>
    internal static IWalSourceFactory NpgsqlSources(WalReceiverOptions o) => new NpgsqlWalSourceFactory(
        o.ConnectionString, o.StatusInterval, o.ReceiveTimeout <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : o.ReceiveTimeout);
}
