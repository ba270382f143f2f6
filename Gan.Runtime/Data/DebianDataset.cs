using System;
using System.IO;
using System.Linq;

namespace Gan.Runtime.Data;

/// <summary>
/// Fashion-MNIST from Debian's package <c>dataset-fashion-mnist</c>: the four original files, re-gzipped (so their
/// <c>.gz</c> checksums differ from Zalando's, the data inside does not), installed in <see cref="InstalledFolder"/>.
/// When the package is not installed, <c>apt-get download</c> fetches it without root and <c>dpkg-deb -x</c> unpacks it.
/// </summary>
internal static class DebianDataset
{
    internal const string Package = "dataset-fashion-mnist";
    internal const string InstalledFolder = "/usr/share/datasets/fashion-mnist";
    private const int TrainCount = 60000, TestCount = 10000;

    /// <summary>Checks that a Debian copy has the full 60,000/10,000 images.</summary>
    internal static void RequireFullSize(string folder, ImageSplit train, ImageSplit test)
    {
        if (train.Images.Count != TrainCount || test.Images.Count != TestCount)
            throw new InvalidDataException(
                $"{folder}: {train.Images.Count} train and {test.Images.Count} test images; Fashion-MNIST has {TrainCount} and {TestCount}.");
    }

    /// <summary>
    /// Downloads the package with <c>apt-get download</c> into a temporary folder, unpacks it with <c>dpkg-deb -x</c>, and
    /// copies its four <c>.gz</c> files (with a source.txt) into <c>&lt;cacheDir&gt;/&lt;name&gt;/</c> through a staging folder.
    /// </summary>
    internal static void FetchIntoCache(string cacheDir, string name, DataOptions options)
    {
        DirectoryInfo temp = Directory.CreateTempSubdirectory("gandsl-deb-");
        try
        {
            TimeSpan limit = options.Timeout * 10;
            options.Log?.WriteLine($"{name}: apt-get download {Package}");
            ExternalCommand.Run("apt-get", ["download", "-q", Package], temp.FullName, limit);
            string deb = temp.GetFiles("*.deb").Select(f => f.FullName).SingleOrDefault()
                         ?? throw new IOException($"`apt-get download {Package}` succeeded but left no single .deb file in {temp.FullName}.");
            string root = Path.Combine(temp.FullName, "root");
            ExternalCommand.Run("dpkg-deb", ["-x", deb, root], temp.FullName, limit);
            string unpacked = Path.Combine(root, InstalledFolder.TrimStart('/'));
            if (!IdxFolder.IsComplete(unpacked))
                throw new IOException($"{Path.GetFileName(deb)} does not hold the four files in {InstalledFolder} (missing: {string.Join(", ", IdxFolder.Missing(unpacked))}).");

            // Check the data before it enters the cache: a bad copy there would be read by every later run.
            var (train, test) = IdxFolder.Read(unpacked);
            RequireFullSize(unpacked, train, test);

            Directory.CreateDirectory(cacheDir);
            string staging = CacheStaging.Create(cacheDir, name);
            try
            {
                foreach (string file in IdxFolder.StandardFiles)
                {
                    string from = IdxFolder.Find(unpacked, file)!;
                    string to = Path.Combine(staging, Path.GetFileName(from));
                    File.Copy(from, to + ".tmp");
                    File.Move(to + ".tmp", to);
                }
                CacheSource.Write(staging, $"Debian package {Package} ({Path.GetFileName(deb)}, fetched with apt-get download)", null);
                CacheStaging.Commit(staging, Path.Combine(cacheDir, name));
            }
            catch
            {
                CacheStaging.Discard(staging);
                throw;
            }
            options.Log?.WriteLine($"{name}: unpacked {Path.GetFileName(deb)} into {Path.Combine(cacheDir, name)}");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
