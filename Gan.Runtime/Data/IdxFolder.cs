using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Gan.Runtime.Data;

/// <summary>A folder with the four standard MNIST-format files, each raw or gzip-compressed (<c>.gz</c>).</summary>
internal static class IdxFolder
{
    internal const string TrainImages = "train-images-idx3-ubyte";
    internal const string TrainLabels = "train-labels-idx1-ubyte";
    internal const string TestImages = "t10k-images-idx3-ubyte";
    internal const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The four file names, without <c>.gz</c>, in the order train images, train labels, test images, test labels.</summary>
    internal static readonly string[] StandardFiles = [TrainImages, TrainLabels, TestImages, TestLabels];

    internal const int Side = 28;

    /// <summary>The path of <paramref name="file"/> in <paramref name="folder"/>: the raw file if present, else the <c>.gz</c> one, else null.</summary>
    internal static string? Find(string folder, string file)
    {
        string raw = Path.Combine(folder, file);
        if (File.Exists(raw)) return raw;
        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    /// <summary>The standard files that <paramref name="folder"/> lacks (in neither form).</summary>
    internal static IReadOnlyList<string> Missing(string folder) => StandardFiles.Where(f => Find(folder, f) is null).ToArray();

    /// <summary>Whether <paramref name="folder"/> exists and holds all four files.</summary>
    internal static bool IsComplete(string folder) => Directory.Exists(folder) && Missing(folder).Count == 0;

    /// <summary>Reads and validates both splits.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">Files are missing; the message names the folder and each missing file.</exception>
    /// <exception cref="InvalidDataException">A file is bad, or counts, image size or labels are wrong.</exception>
    internal static (ImageSplit Train, ImageSplit Test) Read(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Data folder {folder} does not exist.");
        IReadOnlyList<string> missing = Missing(folder);
        if (missing.Count > 0)
            throw new FileNotFoundException(
                $"Data folder {folder} lacks {string.Join(", ", missing)} (each may be raw or gzip-compressed with .gz appended).");
        return (ReadSplit(Find(folder, TrainImages)!, Find(folder, TrainLabels)!),
                ReadSplit(Find(folder, TestImages)!, Find(folder, TestLabels)!));
    }

    /// <summary>Reads one split and checks it: images and labels agree in number, images are 28×28, labels are 0..9.</summary>
    internal static ImageSplit ReadSplit(string imagesPath, string labelsPath)
    {
        var (images, labels) = Idx.ReadLabelled(imagesPath, labelsPath);
        if (images.Count == 0) throw new InvalidDataException($"{imagesPath}: holds no images.");
        if (images.Rows != Side || images.Columns != Side)
            throw new InvalidDataException($"{imagesPath}: images are {images.Rows}×{images.Columns}, expected {Side}×{Side}.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 9)
                throw new InvalidDataException($"{labelsPath}: label {labels[i]} at index {i}; labels must be 0..9.");
        return new ImageSplit(images, labels);
    }

    /// <summary>Writes a split as two raw IDX files (each through a temporary name and a rename).</summary>
    internal static void WriteSplit(string folder, bool train, ImageSplit split)
    {
        Idx.WriteImages(Path.Combine(folder, train ? TrainImages : TestImages), split.Images);
        Idx.WriteLabels(Path.Combine(folder, train ? TrainLabels : TestLabels), split.Labels);
    }
}

/// <summary>
/// The <c>source.txt</c> of a cache folder: where its files came from (first line) and a note (second line, optional),
/// so that a set loaded from the cache still says what it is.
/// </summary>
internal static class CacheSource
{
    internal const string FileName = "source.txt";

    internal static void Write(string folder, string source, string? note)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName), temp = path + ".tmp";
        File.WriteAllText(temp, note is null ? source + "\n" : source + "\n" + note + "\n");
        File.Move(temp, path, overwrite: true);
    }

    internal static (string? Source, string? Note) Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return (null, null);
        string[] lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        return (lines.Length > 0 ? lines[0] : null, lines.Length > 1 ? lines[1] : null);
    }
}

/// <summary>Replaces a cache folder at once: a set is built in a staging folder beside it, then renamed into place.</summary>
internal static class CacheStaging
{
    /// <summary>A new, empty staging folder in <paramref name="cacheDir"/> (same file system as the final folder, so the rename is atomic).</summary>
    internal static string Create(string cacheDir, string name)
    {
        string staging = Path.Combine(cacheDir, $".{name}.staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Moves <paramref name="staging"/> to <paramref name="final"/>, replacing an incomplete folder left there.</summary>
    internal static void Commit(string staging, string final)
    {
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(staging, final);
    }

    /// <summary>Removes a staging folder after a failure (best effort: the failure being reported matters more).</summary>
    internal static void Discard(string staging)
    {
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
