using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Gan.Runtime.Data;

/// <summary>MNIST-format images: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes, row-major.</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);

/// <summary>
/// Reads IDX files (LeCun's MNIST format, also used by Fashion-MNIST), raw or gzip-compressed (detected from the
/// content, not the name). Validates the magic number, the number of dimensions, the counts and the length, and
/// fails with an <see cref="InvalidDataException"/> that names the file and what is wrong.
/// </summary>
public static class Idx
{
    /// <summary>Magic of unsigned-byte images: 0x00000803 (type 0x08, 3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>Magic of unsigned-byte labels: 0x00000801 (type 0x08, 1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    public static IdxImages ReadImages(string path)
    {
        byte[] data = ReadAll(path);
        RequireMagic(path, data, ImagesMagic, "images");
        RequireLength(path, data, 16, "its header");
        int count = Dimension(path, data, 4, "image count");
        int rows = Dimension(path, data, 8, "rows");
        int columns = Dimension(path, data, 12, "columns");
        long expected = (long)count * rows * columns;
        long actual = data.Length - 16L;
        if (actual < expected)
            throw new InvalidDataException($"{path}: truncated: the header announces {count} images of {rows}×{columns} ({expected} bytes) but only {actual} bytes follow.");
        if (actual > expected)
            throw new InvalidDataException($"{path}: {actual - expected} unexpected bytes after {count} images of {rows}×{columns}.");
        var pixels = new byte[expected];
        Array.Copy(data, 16, pixels, 0, expected);
        return new IdxImages(count, rows, columns, pixels);
    }

    public static byte[] ReadLabels(string path)
    {
        byte[] data = ReadAll(path);
        RequireMagic(path, data, LabelsMagic, "labels");
        RequireLength(path, data, 8, "its header");
        int count = Dimension(path, data, 4, "label count");
        long actual = data.Length - 8L;
        if (actual < count)
            throw new InvalidDataException($"{path}: truncated: the header announces {count} labels but only {actual} bytes follow.");
        if (actual > count)
            throw new InvalidDataException($"{path}: {actual - count} unexpected bytes after {count} labels.");
        return data.AsSpan(8).ToArray();
    }

    /// <summary>Images and their labels, checked to agree in number.</summary>
    public static (IdxImages Images, byte[] Labels) ReadLabelled(string imagesPath, string labelsPath)
    {
        IdxImages images = ReadImages(imagesPath);
        byte[] labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new InvalidDataException($"{labelsPath}: {labels.Length} labels for {images.Count} images in {imagesPath}; the two files do not belong together.");
        return (images, labels);
    }

    /// <summary>Writes images as a raw IDX file (used to convert other copies of the data sets into the cache).</summary>
    public static void WriteImages(string path, IdxImages images)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), images.Count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), images.Rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), images.Columns);
        WriteAtomically(path, header, images.Pixels);
    }

    /// <summary>Writes labels as a raw IDX file.</summary>
    public static void WriteLabels(string path, byte[] labels)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), labels.Length);
        WriteAtomically(path, header, labels);
    }

    private static void WriteAtomically(string path, byte[] header, byte[] body)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null) Directory.CreateDirectory(folder);
        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            stream.Write(header);
            stream.Write(body);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such IDX file.", path);
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var output = new MemoryStream();
                gzip.CopyTo(output);
                return output.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: corrupt or truncated gzip data ({e.Message}).", e);
            }
        }
        return raw;
    }

    private static void RequireLength(string path, byte[] data, int length, string what)
    {
        if (data.Length < length)
            throw new InvalidDataException($"{path}: truncated: {data.Length} bytes, shorter than {what} ({length} bytes).");
    }

    private static void RequireMagic(string path, byte[] data, int expected, string kind)
    {
        RequireLength(path, data, 4, "the magic number");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic == expected) return;
        string found = magic == ImagesMagic ? " (that is an images file)" : magic == LabelsMagic ? " (that is a labels file)" : "";
        throw new InvalidDataException($"{path}: not an IDX {kind} file: magic number 0x{magic:X8}{found}, expected 0x{expected:X8}.");
    }

    private static int Dimension(string path, byte[] data, int offset, string what)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));
        if (value < 0) throw new InvalidDataException($"{path}: negative {what} ({value}) in the header.");
        return value;
    }
}
