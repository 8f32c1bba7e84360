using System.Net;
using System.Net.Sockets;

namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>
/// A loopback TCP proxy in front of a server, for network faults as real as the happy path: <see cref="Silence"/> stops
/// forwarding in both directions without closing anything (packets dropped, no FIN, no RST: what a dead link or a
/// firewall that drops state looks like), <see cref="Restore"/> lets new connections through again.
/// <see cref="CorruptWal"/> flips one byte of the WAL the server streams, as a bad NIC, cable or sender would.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private volatile bool _silent;
    private int _connections;
    private WalCorrupter? _corrupter;

    private TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts a proxy to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public static TcpProxy Start(string targetHost, int targetPort) => new(targetHost, targetPort);

    /// <summary>
    /// Stops forwarding: bytes already in flight stay unread in the kernel's buffers, nothing is closed. Connections made
    /// while silent are accepted and left silent too, as a black hole does.
    /// </summary>
    public void Silence() => _silent = true;

    /// <summary>Forwards again; connections silenced earlier stay dead (their peers gave up on them), new ones work.</summary>
    public void Restore() => _silent = false;

    /// <summary>
    /// Flips the first non-zero WAL byte at or after <paramref name="walBytes"/> bytes of WAL that the server streams on
    /// the next connection (a zero byte could be alignment padding, which no check covers; a non-zero one is always in a
    /// record or page header). Once only: later connections get the server's bytes. The connection must not use TLS.
    /// </summary>
    public WalCorrupter CorruptWal(long walBytes) => _corrupter = new WalCorrupter(walBytes);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var s in _sockets)
                s.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopping
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            Track(client);
            if (_silent)
                continue; // accepted, never served
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Track(server);
            try
            {
                await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                continue;
            }

            // Each connection pumps on its own; a silenced one simply stops reading, so its buffers fill and stay full.
            _ = PumpAsync(client, server, null);
            _ = PumpAsync(server, client, Interlocked.Exchange(ref _corrupter, null));
        }
    }

    private async Task PumpAsync(Socket from, Socket to, WalCorrupter? corrupter)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            // Once silent, this connection never forwards again, even after Restore: its peers have moved on. What was
            // read while going silent is dropped, as a dead link would; the rest stays unread in the kernel's buffers.
            while (!_silent)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                corrupter?.Inspect(buffer.AsSpan(0, n));
                if (!_silent)
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the proxy is stopping or a peer closed
        }
    }

    private void Track(Socket socket)
    {
        lock (_sockets)
            _sockets.Add(socket);
    }
}
