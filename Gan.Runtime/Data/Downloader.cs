using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Gan.Runtime.Data;

/// <summary>
/// Downloads the four <c>.gz</c> files of a data set from a list of mirrors into its cache folder. Each file is written
/// to <c>&lt;file&gt;.partial</c> while its SHA-256 is computed, and renamed only when the hash matches. Passing failures
/// (timeouts, responses cut short, HTTP 5xx, refused connections) are retried with a short backoff; a wrong hash, an
/// HTTP 4xx or an unknown host moves on to the next mirror. A file that no mirror delivers ends the download with an
/// <see cref="IOException"/> that lists each URL and what went wrong with it.
/// </summary>
internal static class Downloader
{
    private const int BufferSize = 1 << 16;

    /// <summary>Downloads the missing files into <paramref name="folder"/> and returns a one-line source ("downloaded from …").</summary>
    /// <param name="dataSet">Name used in messages.</param>
    /// <param name="folder">The cache folder that receives the files.</param>
    /// <param name="mirrors">Base URLs, tried in order.</param>
    /// <param name="sha256">Expected SHA-256 (lower-case hex) of each <c>.gz</c> file, by file name.</param>
    /// <param name="options">Timeout, retries, backoff and log.</param>
    internal static string Fetch(string dataSet, string folder, IReadOnlyList<string> mirrors, IReadOnlyDictionary<string, string> sha256, DataOptions options)
    {
        if (mirrors.Count == 0) throw new IOException($"no mirrors to download {dataSet} from.");
        // On the thread pool, so that blocking here cannot deadlock a caller's synchronization context.
        return Task.Run(() => FetchAsync(dataSet, folder, mirrors, sha256, options)).GetAwaiter().GetResult();
    }

    private static async Task<string> FetchAsync(string dataSet, string folder, IReadOnlyList<string> mirrors, IReadOnlyDictionary<string, string> sha256, DataOptions options)
    {
        Directory.CreateDirectory(folder);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.Timeout }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("GanDsl/1.0");
        var unreachable = new Dictionary<string, string>();   // mirror → why, so later files do not wait on it again
        var used = new List<string>();

        foreach (string file in IdxFolder.StandardFiles.Select(f => f + ".gz"))
        {
            if (!sha256.TryGetValue(file, out string? expected))
                throw new IOException($"no SHA-256 is known for {file} of {dataSet}.");
            expected = expected.ToLowerInvariant();
            string final = Path.Combine(folder, file);
            if (File.Exists(final) && HashOf(final) == expected)
            {
                options.Log?.WriteLine($"{dataSet}: {file} already downloaded");
                continue;
            }

            var report = new List<string>();
            string? from = null;
            foreach (string mirror in mirrors)
            {
                string url = mirror.TrimEnd('/') + "/" + file;
                if (unreachable.TryGetValue(mirror, out string? why))
                {
                    report.Add($"{url}: skipped, the mirror was unreachable ({why})");
                    continue;
                }
                var attempts = new List<string>();
                int retries = Math.Max(0, options.Retries);
                for (int attempt = 0; attempt <= retries; attempt++)
                {
                    if (attempt > 0 && options.RetryDelay > TimeSpan.Zero) await Task.Delay(options.RetryDelay * attempt);
                    options.Log?.WriteLine($"{dataSet}: downloading {url}{(attempt > 0 ? $" (retry {attempt})" : "")}");
                    var (outcome, reason) = await TryOnceAsync(http, url, final, expected, options.Timeout);
                    if (outcome == Outcome.Done)
                    {
                        options.Log?.WriteLine($"{dataSet}: {reason}");
                        from = mirror;
                        break;
                    }
                    options.Log?.WriteLine($"{dataSet}: {url}: {reason}");
                    attempts.Add(reason);
                    if (outcome == Outcome.HostUnknown) unreachable[mirror] = reason;
                    if (outcome != Outcome.Retry) break;
                    if (attempt == retries && reason.StartsWith(CouldNotConnect, StringComparison.Ordinal)) unreachable[mirror] = reason;
                }
                if (from != null) break;
                report.Add($"{url}: " + (attempts.Count == 1 ? attempts[0] : string.Join("; ", attempts.Select((a, i) => $"attempt {i + 1}: {a}"))));
            }
            if (from == null)
                throw new IOException($"every mirror failed for {file}:\n" + string.Join("\n", report.Select(r => "  " + r)));
            // A raw copy of the same name would be read before the .gz: drop it so the set cannot mix sources.
            string raw = Path.Combine(folder, Path.GetFileNameWithoutExtension(file));
            if (File.Exists(raw)) File.Delete(raw);
            if (!used.Contains(from)) used.Add(from);
        }
        return used.Count == 0 ? "downloaded earlier" : "downloaded from " + string.Join(" and ", mirrors.Where(used.Contains));
    }

    private const string CouldNotConnect = "could not connect";

    private enum Outcome { Done, Retry, NextMirror, HostUnknown }

    /// <summary>One GET of <paramref name="url"/> into <c><paramref name="final"/>.partial</c>, renamed to <paramref name="final"/> when the hash matches.</summary>
    private static async Task<(Outcome, string)> TryOnceAsync(HttpClient http, string url, string final, string expected, TimeSpan timeout)
    {
        string partial = final + ".partial";
        long received = 0;
        var clock = Stopwatch.StartNew();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            if (!response.IsSuccessStatusCode)
            {
                int code = (int)response.StatusCode;
                bool passing = code >= 500 || code == 408 || code == 429;
                return (passing ? Outcome.Retry : Outcome.NextMirror, $"HTTP {code} {response.ReasonPhrase}".TrimEnd());
            }
            long? announced = response.Content.Headers.ContentLength;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (Stream body = await response.Content.ReadAsStreamAsync(cancel.Token))
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize))
            {
                var buffer = new byte[BufferSize];
                while (true)
                {
                    cancel.CancelAfter(timeout);   // the timeout is for each read: a slow but steady download is fine
                    int n = await body.ReadAsync(buffer, cancel.Token);
                    if (n == 0) break;
                    hash.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), CancellationToken.None);
                    received += n;
                }
            }
            if (announced is long length && length != received)
            {
                File.Delete(partial);
                return (Outcome.Retry, $"response cut short: {received} of {length} bytes");
            }
            string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != expected)
            {
                File.Delete(partial);
                return (Outcome.NextMirror, $"SHA-256 mismatch: expected {expected}, got {actual} ({received} bytes)");
            }
            File.Move(partial, final, overwrite: true);
            return (Outcome.Done, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(final)}: {received:N0} bytes in {clock.Elapsed.TotalSeconds:F1} s, SHA-256 verified"));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Delete(partial);
            return (Outcome.Retry, string.Create(CultureInfo.InvariantCulture, $"timed out: nothing for {timeout.TotalSeconds:0.###} s after {received} bytes"));
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            return (Outcome.HostUnknown, $"host not found ({Innermost(e)})");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return (Outcome.Retry, $"{CouldNotConnect} ({Innermost(e)})");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            Delete(partial);
            return (Outcome.Retry, $"response cut short after {received} bytes ({Innermost(e)})");
        }
        catch (HttpRequestException e)
        {
            Delete(partial);
            return (Outcome.Retry, $"request failed ({Innermost(e)})");
        }
        catch (HttpIOException e)
        {
            // The server closed the connection before the announced length (or the chunked end) arrived.
            Delete(partial);
            return (Outcome.Retry, $"response cut short after {received} bytes ({Innermost(e)})");
        }
        catch (IOException e)
        {
            Delete(partial);
            return (Outcome.Retry, $"transfer failed after {received} bytes ({Innermost(e)})");
        }
    }

    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    internal static string HashOf(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e.Message;
    }
}
