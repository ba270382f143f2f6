using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Runtime.Data;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Runtime;

/// <summary>
/// The download path of <see cref="ImageDataSets"/> against a local HTTP server that serves crafted .gz files, with the
/// checksums injected: success and caching, bad checksums, responses cut short, 404, timeouts and no server at all.
/// </summary>
public sealed class DownloadTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("gandsl-download-").FullName;
    private readonly Dictionary<string, byte[]> _files = CraftedSet.GzFiles();
    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private Dictionary<string, string> Sha256 => CraftedSet.Sha256Of(_files);
    private string MnistCache => Path.Combine(_cache, "mnist");

    private DataOptions Options(params string[] mirrors) => new()
    {
        CacheDir = _cache,
        Mirrors = mirrors,
        UsePackages = false,
        RetryDelay = TimeSpan.Zero,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private ImageDataSet Load(DataOptions options) => ImageDataSets.Load("mnist", options, Sha256);

    private string[] CacheFiles() => Directory.GetFiles(MnistCache).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void Download_lands_verified_files_in_the_cache_and_a_second_load_makes_no_request()
    {
        using var server = LocalHttpServer.Serving(_files);
        ImageDataSet set = Load(Options(server.Url));

        set.Train.Images.Count.ShouldBe(12);
        set.Test.Images.Count.ShouldBe(5);
        set.Train.Images.Pixels.ShouldBe(CraftedSet.Split(12).Images.Pixels);
        set.Source.ShouldBe($"downloaded from {server.Url}; cached in {MnistCache}");
        set.Note.ShouldBeNull();
        server.Requests.Count.ShouldBe(4);
        CacheFiles().ShouldBe(new[] { "source.txt", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" });

        ImageDataSet again = Load(Options(server.Url));
        server.Requests.Count.ShouldBe(4);
        again.Source.ShouldBe(set.Source);
        again.Train.Labels.ShouldBe(set.Train.Labels);
    }

    [Fact]
    public void A_corrupt_file_on_the_first_mirror_is_fetched_from_the_next()
    {
        using var server = new LocalHttpServer((path, _) =>
        {
            string file = path[(path.LastIndexOf('/') + 1)..];
            if (path.StartsWith("/bad/") && file == "train-images-idx3-ubyte.gz")
                return new Reply.Ok(_files[file].Select(b => (byte)(b ^ 1)).ToArray());
            return new Reply.Ok(_files[file]);
        });
        ImageDataSet set = Load(Options(server.Url + "bad/", server.Url + "good/"));

        set.Train.Images.Pixels.ShouldBe(CraftedSet.Split(12).Images.Pixels);
        set.Source.ShouldStartWith($"downloaded from {server.Url}bad/ and {server.Url}good/;");
        server.CountOf("/bad/train-images-idx3-ubyte.gz").ShouldBe(1);   // a wrong hash is not retried on the same mirror
        server.CountOf("/good/train-images-idx3-ubyte.gz").ShouldBe(1);
        server.CountOf("/good/train-labels-idx1-ubyte.gz").ShouldBe(0);
        CacheFiles().ShouldNotContain(f => f.EndsWith(".partial"));
    }

    [Fact]
    public void When_every_mirror_serves_a_corrupt_file_the_error_names_the_file_and_both_hashes()
    {
        byte[] corrupt = _files["t10k-labels-idx1-ubyte.gz"].Reverse().ToArray();
        string actual = CraftedSet.Sha256Of(new() { ["x"] = corrupt })["x"];
        using var server = new LocalHttpServer((path, _) =>
        {
            string file = path[(path.LastIndexOf('/') + 1)..];
            return new Reply.Ok(file == "t10k-labels-idx1-ubyte.gz" ? corrupt : _files[file]);
        });

        var e = Should.Throw<IOException>(() => Load(Options(server.Url + "a/", server.Url + "b/")));
        string expected = Sha256["t10k-labels-idx1-ubyte.gz"];
        e.Message.ShouldContain("download: every mirror failed for t10k-labels-idx1-ubyte.gz:");
        e.Message.ShouldContain($"{server.Url}a/t10k-labels-idx1-ubyte.gz: SHA-256 mismatch: expected {expected}, got {actual} ({corrupt.Length} bytes)");
        e.Message.ShouldContain($"{server.Url}b/t10k-labels-idx1-ubyte.gz: SHA-256 mismatch: expected {expected}, got {actual} ({corrupt.Length} bytes)");
        CacheFiles().ShouldNotContain("t10k-labels-idx1-ubyte.gz");
        CacheFiles().ShouldNotContain(f => f.EndsWith(".partial"));
    }

    [Fact]
    public void A_response_cut_short_is_retried()
    {
        using var server = new LocalHttpServer((path, before) =>
        {
            byte[] body = _files[path.TrimStart('/')];
            return path == "/train-images-idx3-ubyte.gz" && before == 0 ? new Reply.CutShort(body[..(body.Length / 2)], body.Length) : new Reply.Ok(body);
        });
        ImageDataSet set = Load(Options(server.Url));

        set.Train.Images.Count.ShouldBe(12);
        server.CountOf("/train-images-idx3-ubyte.gz").ShouldBe(2);
        CacheFiles().ShouldNotContain(f => f.EndsWith(".partial"));
    }

    [Fact]
    public void A_503_and_a_429_are_retried_on_the_same_mirror_after_a_growing_pause()
    {
        // Overloaded and rate-limited answers pass: the same URL again, after RetryDelay, then twice RetryDelay.
        using var server = new LocalHttpServer((path, before) =>
        {
            byte[] body = _files[path.TrimStart('/')];
            if (path != "/train-labels-idx1-ubyte.gz") return new Reply.Ok(body);
            return before switch { 0 => new Reply.Status(503, "Service Unavailable"), 1 => new Reply.Status(429, "Too Many Requests"), _ => new Reply.Ok(body) };
        });
        var log = new StringWriter();
        var delay = TimeSpan.FromMilliseconds(200);
        ImageDataSet set = Load(new DataOptions
        {
            CacheDir = _cache, Mirrors = new[] { server.Url }, UsePackages = false, RetryDelay = delay, Timeout = TimeSpan.FromSeconds(10), Log = log,
        });

        set.Train.Labels.ShouldBe(CraftedSet.Split(12).Labels);
        IReadOnlyList<DateTime> times = server.TimesOf("/train-labels-idx1-ubyte.gz");
        times.Count.ShouldBe(3);
        // Lower bounds only: a loaded machine makes the pauses longer, never shorter.
        (times[1] - times[0]).ShouldBeGreaterThanOrEqualTo(delay - TimeSpan.FromMilliseconds(5));
        (times[2] - times[1]).ShouldBeGreaterThanOrEqualTo(2 * delay - TimeSpan.FromMilliseconds(5));
        log.ToString().ShouldContain($"downloading {server.Url}train-labels-idx1-ubyte.gz (retry 1)");
        log.ToString().ShouldContain($"downloading {server.Url}train-labels-idx1-ubyte.gz (retry 2)");
        server.CountOf("/train-images-idx3-ubyte.gz").ShouldBe(1);
    }

    [Fact]
    public void A_server_that_stays_overloaded_fails_after_the_retries_with_each_status()
    {
        using var server = new LocalHttpServer((path, _) => path == "/t10k-images-idx3-ubyte.gz"
            ? new Reply.Status(502, "Bad Gateway") : new Reply.Ok(_files[path.TrimStart('/')]));
        var e = Should.Throw<IOException>(() => Load(Options(server.Url)));

        server.CountOf("/t10k-images-idx3-ubyte.gz").ShouldBe(3);
        e.Message.ShouldContain($"{server.Url}t10k-images-idx3-ubyte.gz: attempt 1: HTTP 502 Bad Gateway; attempt 2: HTTP 502 Bad Gateway; attempt 3: HTTP 502 Bad Gateway");
    }

    [Fact]
    public void A_response_always_cut_short_fails_after_the_retries_and_says_so()
    {
        using var server = new LocalHttpServer((path, _) =>
        {
            byte[] body = _files[path.TrimStart('/')];
            return new Reply.CutShort(body[..10], body.Length);
        });
        var e = Should.Throw<IOException>(() => Load(Options(server.Url)));

        server.CountOf("/train-images-idx3-ubyte.gz").ShouldBe(3);   // 1 + Retries (2)
        e.Message.ShouldContain($"{server.Url}train-images-idx3-ubyte.gz: attempt 1: response cut short after 10 bytes");
        e.Message.ShouldContain("; attempt 3: response cut short after 10 bytes");
        CacheFiles().ShouldNotContain(f => f.EndsWith(".partial"));
    }

    [Fact]
    public void A_404_moves_on_without_retrying_and_a_later_load_fetches_only_what_is_missing()
    {
        bool fixedUp = false;
        using var server = new LocalHttpServer((path, _) =>
        {
            string file = path.TrimStart('/');
            return file == "t10k-images-idx3-ubyte.gz" && !fixedUp ? new Reply.Status(404, "Not Found") : new Reply.Ok(_files[file]);
        });
        var e = Should.Throw<IOException>(() => Load(Options(server.Url)));
        e.Message.ShouldContain($"every mirror failed for t10k-images-idx3-ubyte.gz:\n      {server.Url}t10k-images-idx3-ubyte.gz: HTTP 404 Not Found");
        server.CountOf("/t10k-images-idx3-ubyte.gz").ShouldBe(1);
        CacheFiles().ShouldBe(new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" });

        fixedUp = true;
        Load(Options(server.Url)).Test.Images.Count.ShouldBe(5);
        server.CountOf("/train-images-idx3-ubyte.gz").ShouldBe(1);   // already verified in the cache: not fetched again
        server.CountOf("/t10k-images-idx3-ubyte.gz").ShouldBe(2);
    }

    [Fact]
    public void Offline_lists_every_url_tried_and_why_and_what_else_to_do()
    {
        string first = LocalHttpServer.ClosedPortUrl(), second = LocalHttpServer.ClosedPortUrl();
        var e = Should.Throw<IOException>(() => Load(Options(first, second)));

        e.Message.ShouldStartWith("Could not get mnist. Tried:\n");
        e.Message.ShouldContain($"  - cache: {MnistCache} holds no complete set\n");
        e.Message.ShouldContain("  - download: every mirror failed for train-images-idx3-ubyte.gz:\n");
        e.Message.ShouldContain($"      {first}train-images-idx3-ubyte.gz: attempt 1: could not connect (Connection refused");
        e.Message.ShouldContain($"      {second}train-images-idx3-ubyte.gz: attempt 1: could not connect (Connection refused");
        e.Message.ShouldContain("  - packages: turned off\n");
        e.Message.ShouldContain("`--data-folder DIR` in the gan command");
        e.Message.ShouldContain("put npm on PATH");
    }

    [Fact]
    public void An_unknown_host_is_not_retried()
    {
        // .invalid never resolves (RFC 2606), so this needs no network.
        var e = Should.Throw<IOException>(() => Load(Options("http://mnist-mirror.invalid/")));
        e.Message.ShouldContain("http://mnist-mirror.invalid/train-images-idx3-ubyte.gz: host not found (");
        e.Message.ShouldNotContain("attempt 2");
    }

    [Fact]
    public void A_server_that_never_answers_times_out()
    {
        using var server = new LocalHttpServer((_, _) => new Reply.Stall());
        var options = new DataOptions { CacheDir = _cache, Mirrors = [server.Url], UsePackages = false, RetryDelay = TimeSpan.Zero, Retries = 1, Timeout = TimeSpan.FromMilliseconds(300) };
        var e = Should.Throw<IOException>(() => Load(options));

        e.Message.ShouldContain($"{server.Url}train-images-idx3-ubyte.gz: attempt 1: timed out: nothing for 0.3 s after 0 bytes; attempt 2: timed out");
        server.CountOf("/train-images-idx3-ubyte.gz").ShouldBe(2);
    }

    [Fact]
    public void The_real_checksums_reject_crafted_files()
    {
        // Load(name, options) uses the built-in SHA-256 of the real files: a mirror serving anything else is refused.
        using var server = LocalHttpServer.Serving(_files);
        var e = Should.Throw<IOException>(() => ImageDataSets.Load("fashion-mnist", new DataOptions { CacheDir = _cache, Mirrors = [server.Url], UsePackages = false, RetryDelay = TimeSpan.Zero }));
        e.Message.ShouldContain("SHA-256 mismatch: expected 08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc");
        Directory.GetFiles(_cache, "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }
}
