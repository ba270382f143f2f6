using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Gan.Runtime.Data;

namespace GanDsl.Tests.Runtime;

/// <summary>Small MNIST-shaped sets written as the four standard files, raw or gzip'd, and their .gz bytes for a test server.</summary>
internal static class CraftedSet
{
    internal static readonly string[] Files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary><paramref name="count"/> 28×28 images whose pixels depend on the image index and <paramref name="salt"/>, labels i mod 10.</summary>
    internal static ImageSplit Split(int count, int salt = 0)
    {
        var pixels = new byte[count * 784];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i / 784 * 31 + i % 784 + salt) % 256);
        return new ImageSplit(new IdxImages(count, 28, 28, pixels), Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray());
    }

    /// <summary><paramref name="count"/> 28×28 images that show their label: image i has label d = (i + offset) mod 10 and
    /// one bright horizontal bar (pixels 180–255, columns 4–23) on row 2d + 4, black elsewhere.</summary>
    internal static ImageSplit Bars(int count, int offset)
    {
        var pixels = new byte[count * 784];
        var labels = new byte[count];
        var random = new Random(offset);
        for (int i = 0; i < count; i++)
        {
            int d = (i + offset) % 10;
            labels[i] = (byte)d;
            for (int c = 4; c < 24; c++) pixels[i * 784 + (2 * d + 4) * 28 + c] = (byte)random.Next(180, 256);
        }
        return new ImageSplit(new IdxImages(count, 28, 28, pixels), labels);
    }

    /// <summary>Writes <see cref="Bars"/> splits (train offset 0, test offset 1) as the four raw files into <paramref name="folder"/>.</summary>
    internal static string WriteBars(string folder, int train = 300, int test = 100)
    {
        Directory.CreateDirectory(folder);
        ImageSplit trainSplit = Bars(train, 0), testSplit = Bars(test, 1);
        Idx.WriteImages(Path.Combine(folder, Files[0]), trainSplit.Images);
        Idx.WriteLabels(Path.Combine(folder, Files[1]), trainSplit.Labels);
        Idx.WriteImages(Path.Combine(folder, Files[2]), testSplit.Images);
        Idx.WriteLabels(Path.Combine(folder, Files[3]), testSplit.Labels);
        return folder;
    }

    /// <summary>Writes a 12-image train split and a 5-image test split into <paramref name="folder"/>, raw or as .gz only.</summary>
    internal static void Write(string folder, bool gzip = false, int train = 12, int test = 5)
    {
        Directory.CreateDirectory(folder);
        Idx.WriteImages(Path.Combine(folder, Files[0]), Split(train).Images);
        Idx.WriteLabels(Path.Combine(folder, Files[1]), Split(train).Labels);
        Idx.WriteImages(Path.Combine(folder, Files[2]), Split(test, salt: 100).Images);
        Idx.WriteLabels(Path.Combine(folder, Files[3]), Split(test, salt: 100).Labels);
        if (!gzip) return;
        foreach (string file in Files)
        {
            string path = Path.Combine(folder, file);
            File.WriteAllBytes(path + ".gz", Gzip(File.ReadAllBytes(path)));
            File.Delete(path);
        }
    }

    /// <summary>The four files as .gz bytes, keyed by "&lt;name&gt;.gz" (what a mirror serves).</summary>
    internal static Dictionary<string, byte[]> GzFiles(int train = 12, int test = 5)
    {
        string folder = Directory.CreateTempSubdirectory("gandsl-crafted-").FullName;
        try
        {
            Write(folder, gzip: true, train, test);
            return Files.ToDictionary(f => f + ".gz", f => File.ReadAllBytes(Path.Combine(folder, f + ".gz")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static Dictionary<string, string> Sha256Of(Dictionary<string, byte[]> files) =>
        files.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(SHA256.HashData(kv.Value)));

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }
}

/// <summary>What <see cref="LocalHttpServer"/> answers to one request.</summary>
internal abstract record Reply
{
    /// <summary>200 with the body.</summary>
    internal sealed record Ok(byte[] Body) : Reply;
    /// <summary>A status line with a short text body.</summary>
    internal sealed record Status(int Code, string Reason) : Reply;
    /// <summary>200 announcing <paramref name="AnnouncedLength"/> bytes, then only <paramref name="Body"/>, then the connection closes.</summary>
    internal sealed record CutShort(byte[] Body, long AnnouncedLength) : Reply;
    /// <summary>Reads the request and never answers (until the server is disposed).</summary>
    internal sealed record Stall : Reply;
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, for download tests: each GET is answered by a handler (one
/// response per connection, then the connection closes) and recorded, so tests can count requests.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, int, Reply> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<(string Path, DateTime At)> _times = new();
    private readonly ConcurrentDictionary<string, int> _perPath = new();
    private readonly Task _loop;

    /// <param name="handler">Given the request path and how many times that path was requested before (0 for the first), says what to answer.</param>
    internal LocalHttpServer(Func<string, int, Reply> handler)
    {
        _handler = handler;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _loop = Task.Run(AcceptLoop);
    }

    /// <summary>A server that serves <paramref name="files"/> (by file name, under any path prefix) and answers 404 otherwise.</summary>
    internal static LocalHttpServer Serving(IReadOnlyDictionary<string, byte[]> files) =>
        new((path, _) => files.TryGetValue(path[(path.LastIndexOf('/') + 1)..], out byte[]? body) ? new Reply.Ok(body) : new Reply.Status(404, "Not Found"));

    /// <summary>The base URL, ending with a slash.</summary>
    internal string Url { get; }

    /// <summary>The paths requested so far, in order.</summary>
    internal IReadOnlyList<string> Requests => _requests.ToArray();

    /// <summary>When each request for <paramref name="path"/> arrived (UTC), in order.</summary>
    internal IReadOnlyList<DateTime> TimesOf(string path) => _times.Where(t => t.Path == path).Select(t => t.At).ToArray();

    /// <summary>How many times <paramref name="path"/> was requested.</summary>
    internal int CountOf(string path) => _perPath.GetValueOrDefault(path);

    /// <summary>A base URL on which nothing listens (a port taken from the system, then released).</summary>
    internal static string ClosedPortUrl()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/";
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string? path = await ReadRequestPath(stream);
                if (path is null) return;
                int before = _perPath.AddOrUpdate(path, 1, (_, n) => n + 1) - 1;
                _requests.Enqueue(path);
                _times.Enqueue((path, DateTime.UtcNow));
                Reply reply = _handler(path, before);
                switch (reply)
                {
                    case Reply.Ok ok:
                        await Write(stream, "200 OK", ok.Body.Length, ok.Body);
                        break;
                    case Reply.Status status:
                        byte[] text = Encoding.ASCII.GetBytes(status.Reason);
                        await Write(stream, $"{status.Code} {status.Reason}", text.Length, text);
                        break;
                    case Reply.CutShort cut:
                        await Write(stream, "200 OK", cut.AnnouncedLength, cut.Body);
                        break;
                    case Reply.Stall:
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        break;
                }
                client.Client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                // The client gave up (timeouts in the tests): nothing to do.
            }
            catch (SocketException)
            {
            }
        }
    }

    private static async Task<string?> ReadRequestPath(NetworkStream stream)
    {
        var header = new StringBuilder();
        var buffer = new byte[1024];
        while (!header.ToString().Contains("\r\n\r\n"))
        {
            int n = await stream.ReadAsync(buffer);
            if (n == 0) return null;
            header.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        string[] requestLine = header.ToString().Split("\r\n")[0].Split(' ');
        return requestLine.Length >= 2 ? requestLine[1] : null;
    }

    private static async Task Write(NetworkStream stream, string status, long announcedLength, byte[] body)
    {
        string head = $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {announcedLength}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
