using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Gan.Runtime.Imaging;

/// <summary>
/// A minimal PNG encoder with no dependencies: 8-bit RGB, no interlace, filter 0 (None) on every row,
/// one zlib-compressed IDAT chunk, CRC-32 on every chunk (PNG specification, 3rd ed., §5 and §11).
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>
    /// Writes an RGB image (row-major, top row first, 3 bytes per pixel) to <paramref name="path"/>, through a
    /// temporary file in the same folder and a rename, so a reader never sees half a file and an existing
    /// file is replaced only by a complete one. Creates the folder if needed.
    /// </summary>
    public static void Write(string path, int width, int height, byte[] rgb)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] png = Encode(width, height, rgb); // validates before anything touches the disk

        string fullPath = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = fullPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.WriteAllBytes(temp, png);
            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"Could not write the PNG '{fullPath}': {e.Message}", e);
        }
    }

    /// <summary>The PNG file's bytes for an RGB image (row-major, top row first, 3 bytes per pixel).</summary>
    public static byte[] Encode(int width, int height, byte[] rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "A PNG must be at least 1 pixel wide.");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "A PNG must be at least 1 pixel high.");
        long expected = 3L * width * height;
        if (rgb.LongLength != expected)
            throw new ArgumentException(
                $"An RGB image of {width}x{height} needs {expected} bytes (3 per pixel); got {rgb.LongLength}.", nameof(rgb));
        long rawLength = (1L + 3L * width) * height;
        if (rawLength > Array.MaxLength)
            throw new ArgumentException($"A {width}x{height} image is too large for this encoder.", nameof(rgb));

        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header[0..4], width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..8], height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour (RGB)
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method 0
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);

        WriteChunk(output, "IDAT", Compress(width, height, rgb));
        WriteChunk(output, "IEND", ReadOnlySpan<byte>.Empty);
        return output.ToArray();
    }

    /// <summary>CRC-32 (ISO 3309 / ITU-T V.42, the one PNG uses) of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => UpdateCrc(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    private static byte[] Compress(int width, int height, byte[] rgb)
    {
        int stride = 3 * width;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int row = 0; row < height; row++)
            {
                zlib.WriteByte(0); // filter type None
                zlib.Write(rgb, row * stride, stride);
            }
        }
        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);

        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);

        // The CRC covers the chunk type and the data, not the length.
        uint crc = UpdateCrc(UpdateCrc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static uint UpdateCrc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
