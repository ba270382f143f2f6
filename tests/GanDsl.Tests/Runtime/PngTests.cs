using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

[Collection(TorchGlobalRngCollection.Name)] // draws from TorchSharp's global generator
public sealed class PngTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-png-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_small_image_parses_back_with_valid_chunks_and_the_pixels_written()
    {
        const int width = 5, height = 3;
        var rgb = new byte[3 * width * height];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 37 + 11); // every byte different from its neighbours
        string path = Path.Combine(_dir, "small.png");

        Png.Write(path, width, height, rgb);

        var png = PngFile.Read(path);
        png.Width.ShouldBe(width);
        png.Height.ShouldBe(height);
        png.BitDepth.ShouldBe(8);
        png.ColourType.ShouldBe(2);
        png.Interlace.ShouldBe(0);
        png.ChunkTypes.First().ShouldBe("IHDR");
        png.ChunkTypes.Last().ShouldBe("IEND");
        png.ChunkTypes.ShouldContain("IDAT");
        png.Raw.Length.ShouldBe(height * (1 + 3 * width));
        png.Pixels().ShouldBe(rgb);
        Directory.GetFiles(_dir).ShouldBe(new[] { path }); // no temporary file left behind
    }

    [Fact]
    public void The_parser_notices_a_corrupted_chunk()
    {
        // Makes sure the CRC check in these tests can fail.
        byte[] bytes = Png.Encode(2, 2, new byte[12]);
        bytes[20] ^= 0x01; // inside IHDR's data (the width)
        string path = Path.Combine(_dir, "bad.png");
        File.WriteAllBytes(path, bytes);

        Should.Throw<InvalidDataException>(() => PngFile.Read(path)).Message.ShouldContain("CRC");
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Png.Crc32(Encoding.ASCII.GetBytes("123456789")).ShouldBe(0xCBF43926u);
    }

    [Fact]
    public void Write_replaces_an_existing_file_and_creates_the_folder()
    {
        string path = Path.Combine(_dir, "sub", "image.png");
        Png.Write(path, 1, 1, new byte[] { 1, 2, 3 });
        Png.Write(path, 2, 1, new byte[] { 4, 5, 6, 7, 8, 9 });

        var png = PngFile.Read(path);
        png.Width.ShouldBe(2);
        png.Pixels().ShouldBe(new byte[] { 4, 5, 6, 7, 8, 9 });
    }

    [Fact]
    public void Bad_arguments_are_rejected_before_an_existing_file_is_touched()
    {
        string path = Path.Combine(_dir, "keep.png");
        Png.Write(path, 1, 1, new byte[] { 1, 2, 3 });
        byte[] before = File.ReadAllBytes(path);

        Should.Throw<ArgumentException>(() => Png.Write(path, 2, 2, new byte[3])).Message.ShouldContain("needs 12 bytes");
        Should.Throw<ArgumentOutOfRangeException>(() => Png.Write(path, 0, 1, Array.Empty<byte>()));
        Should.Throw<ArgumentOutOfRangeException>(() => Png.Write(path, 1, -1, Array.Empty<byte>()));

        File.ReadAllBytes(path).ShouldBe(before);
    }

    [Fact]
    public void A_ring_scatter_plot_is_a_valid_png_of_the_requested_size()
    {
        var ring = GaussianMixture2D.Ring8();
        torch.manual_seed(3);
        using Tensor samples = ring.Sample(2_000, torch.CPU);
        string path = Path.Combine(_dir, "ring.png");

        ScatterPlot.Write(path, samples, ring, size: 300);

        var png = PngFile.Read(path);
        png.Width.ShouldBe(300);
        png.Height.ShouldBe(300);
        byte[] pixels = png.Pixels();
        Pixel(pixels, 300, 0, 0).ShouldBe((255, 255, 255));          // background
        Pixel(pixels, 300, 180, 120).ShouldBe((255, 255, 255));       // (0.3, 0.3): inside the ring, off the axes
        int blue = Enumerable.Range(0, 300 * 300).Count(i => pixels[3 * i + 2] > 150 && pixels[3 * i] < 120);
        blue.ShouldBeGreaterThan(8 * 9);                              // at least a dot per mode
        blue.ShouldBeLessThan(300 * 300 / 20);                        // tight clusters, not a smear

        string? keep = Environment.GetEnvironmentVariable("GANDSL_PLOT_DIR");
        if (!string.IsNullOrEmpty(keep))
        {
            ScatterPlot.Write(Path.Combine(keep, "ring.png"), samples, ring);
            var grid = GaussianMixture2D.Grid25();
            using Tensor gridSamples = grid.Sample(2_000, torch.CPU);
            ScatterPlot.Write(Path.Combine(keep, "grid.png"), gridSamples, grid);
        }
    }

    [Fact]
    public void A_sample_is_drawn_where_its_coordinates_say()
    {
        var ring = GaussianMixture2D.Ring8();
        const int size = 256;
        byte[] empty = ScatterPlot.Render(new float[0, 2], ring, size);
        // Between two modes, so the mode markers do not interfere.
        var point = (X: 0.5f, Y: -0.25f);
        byte[] one = ScatterPlot.Render(new[,] { { point.X, point.Y } }, ring, size);

        var changed = ChangedPixels(empty, one, size);
        changed.Count.ShouldBeInRange(1, 9);
        var (minX, maxX, minY, maxY) = ScatterPlot.PlotBounds(ring);
        double expectedX = (point.X - minX) / (maxX - minX) * size;
        double expectedY = (maxY - point.Y) / (maxY - minY) * size;
        changed.ShouldAllBe(p => Math.Abs(p.X - expectedX) < 8 && Math.Abs(p.Y - expectedY) < 8);
        changed.ShouldAllBe(p => one[3 * (p.Y * size + p.X) + 2] > one[3 * (p.Y * size + p.X)]); // blue
    }

    [Fact]
    public void A_sample_outside_the_bounds_is_clamped_to_the_border_in_red()
    {
        var grid = GaussianMixture2D.Grid25();
        const int size = 200;
        byte[] empty = ScatterPlot.Render(new float[0, 2], grid, size);
        byte[] outlier = ScatterPlot.Render(new[,] { { 100f, 100f } }, grid, size);

        var changed = ChangedPixels(empty, outlier, size);
        changed.ShouldNotBeEmpty();
        changed.ShouldAllBe(p => p.X > size - 12 && p.Y < 12);     // top-right corner
        changed.ShouldAllBe(p => outlier[3 * (p.Y * size + p.X)] > outlier[3 * (p.Y * size + p.X) + 2]); // red
    }

    [Fact]
    public void Bounds_come_from_the_modes_with_a_margin()
    {
        ScatterPlot.PlotBounds(GaussianMixture2D.Ring8()).ShouldBe((-1.5, 1.5, -1.5, 1.5));
        ScatterPlot.PlotBounds(GaussianMixture2D.Grid25()).ShouldBe((-6.0, 6.0, -6.0, 6.0));
    }

    [Fact]
    public void Mode_means_are_marked_dark_on_the_grid()
    {
        var grid = GaussianMixture2D.Grid25();
        const int size = 512;
        byte[] pixels = ScatterPlot.Render(new float[0, 2], grid, size);
        var (minX, maxX, minY, maxY) = ScatterPlot.PlotBounds(grid);

        foreach (var (mx, my) in grid.Means)
        {
            int x = (int)Math.Round((mx - minX) / (maxX - minX) * (size - 1));
            int y = (int)Math.Round((maxY - my) / (maxY - minY) * (size - 1));
            // The plot keeps a small border, so the cross is within a few pixels of this position: search around it.
            bool dark = Enumerable.Range(-8, 17).Any(dy => Enumerable.Range(-8, 17).Any(dx => Pixel(pixels, size, x + dx, y + dy).R < 80));
            dark.ShouldBeTrue($"no dark mean marker near ({mx}, {my})");
        }
    }

    [Fact]
    public void A_too_small_size_is_rejected()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => ScatterPlot.Render(new float[0, 2], GaussianMixture2D.Ring8(), 8));
    }

    private static (int R, int G, int B) Pixel(byte[] rgb, int width, int x, int y)
    {
        int i = 3 * (y * width + x);
        return (rgb[i], rgb[i + 1], rgb[i + 2]);
    }

    private static List<(int X, int Y)> ChangedPixels(byte[] a, byte[] b, int size)
    {
        var changed = new List<(int X, int Y)>();
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int i = 3 * (y * size + x);
                if (a[i] != b[i] || a[i + 1] != b[i + 1] || a[i + 2] != b[i + 2]) changed.Add((x, y));
            }
        return changed;
    }
}

/// <summary>A strict PNG reader for tests, independent of the encoder: checks the signature, every chunk's CRC
/// (bit-by-bit, not with the encoder's table) and IHDR, and inflates the IDAT stream.</summary>
internal sealed class PngFile
{
    private static readonly byte[] Signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    public int Width { get; private init; }
    public int Height { get; private init; }
    public int BitDepth { get; private init; }
    public int ColourType { get; private init; }
    public int Interlace { get; private init; }
    public IReadOnlyList<string> ChunkTypes { get; private init; } = Array.Empty<string>();
    /// <summary>The inflated image data: per row, a filter byte then the pixels.</summary>
    public byte[] Raw { get; private init; } = Array.Empty<byte>();

    public static PngFile Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (!bytes.AsSpan(0, Math.Min(8, bytes.Length)).SequenceEqual(Signature))
            throw new InvalidDataException($"{path}: no PNG signature");

        var types = new List<string>();
        var idat = new MemoryStream();
        int width = 0, height = 0, depth = 0, colour = 0, interlace = 0;
        int at = 8;
        while (at < bytes.Length)
        {
            if (at + 12 > bytes.Length) throw new InvalidDataException($"{path}: truncated chunk at {at}");
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            string type = Encoding.ASCII.GetString(bytes, at + 4, 4);
            if (length < 0 || at + 12 + length > bytes.Length) throw new InvalidDataException($"{path}: chunk {type} runs past the end");
            var data = bytes.AsSpan(at + 8, length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + length));
            uint actual = BitwiseCrc32(bytes.AsSpan(at + 4, 4 + length));
            if (stored != actual) throw new InvalidDataException($"{path}: CRC mismatch in chunk {type} ({stored:X8} stored, {actual:X8} computed)");

            types.Add(type);
            if (type == "IHDR")
            {
                if (length != 13) throw new InvalidDataException($"{path}: IHDR has {length} bytes");
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8];
                colour = data[9];
                if (data[10] != 0 || data[11] != 0) throw new InvalidDataException($"{path}: unknown compression or filter method");
                interlace = data[12];
            }
            else if (type == "IDAT") idat.Write(data);
            at += 12 + length;
            if (type == "IEND") break;
        }
        if (at != bytes.Length) throw new InvalidDataException($"{path}: {bytes.Length - at} bytes after IEND");

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);

        return new PngFile
        {
            Width = width, Height = height, BitDepth = depth, ColourType = colour, Interlace = interlace,
            ChunkTypes = types, Raw = raw.ToArray(),
        };
    }

    /// <summary>The RGB pixels, requiring filter type 0 on every row.</summary>
    public byte[] Pixels()
    {
        int stride = 3 * Width;
        if (Raw.Length != Height * (1 + stride)) throw new InvalidDataException($"image data has {Raw.Length} bytes, expected {Height * (1 + stride)}");
        var rgb = new byte[Height * stride];
        for (int row = 0; row < Height; row++)
        {
            int filter = Raw[row * (1 + stride)];
            if (filter != 0) throw new InvalidDataException($"row {row} uses filter {filter}");
            Array.Copy(Raw, row * (1 + stride) + 1, rgb, row * stride, stride);
        }
        return rgb;
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
