using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunOutcome>();
        services.TryAddSingleton<IWalSourceFactory>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<WalReceiverOptions>>().Value;
            return new NpgsqlWalSourceFactory(o.ConnectionString, o.StatusInterval);
        });
        // Long enough for a last fsync and status update; the host's default (30 s) would also do, but say it.
        services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services.AddHostedService<WalStreamingService>();
        return services;
    }
}
