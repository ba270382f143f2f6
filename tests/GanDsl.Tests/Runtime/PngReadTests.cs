using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Gan.Cli;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Shouldly;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

/// <summary>The PNG reader against files written here by an encoder of the tests' own (every filter, bit depths, palettes,
/// Adam7), and against damaged files; MNIST-M's photographs, crops and preprocessing.</summary>
public sealed class PngReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-pngread-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Range(Tensor t) => new[] { t.min().item<float>(), t.max().item<float>() };
    private static byte[] Bytes(int n, int seed) => Enumerable.Range(0, n).Select(i => (byte)((i * 73 + seed * 29 + i * i * 7) & 0xFF)).ToArray();

    [Fact]
    public void What_the_encoder_writes_reads_back()
    {
        byte[] rgb = Bytes(3 * 13 * 7, 1);
        PngImage image = Png.Decode(Png.Encode(13, 7, rgb));
        (image.Width, image.Height, image.Channels).ShouldBe((13, 7, 3));
        image.Pixels.ShouldBe(rgb);
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void Each_filter_type_is_undone(int filter)
    {
        byte[] rgba = Bytes(4 * 9 * 6, filter);
        PngImage image = Png.Decode(TestPng.Encode(9, 6, 6, 8, rgba, filter: filter));
        image.Channels.ShouldBe(4);
        image.Pixels.ShouldBe(rgba);
    }

    [Fact]
    public void Adam7_interlacing_gives_the_same_pixels()
    {
        byte[] rgb = Bytes(3 * 11 * 9, 5);
        foreach (int filter in new[] { 0, 1, 4 })
            Png.Decode(TestPng.Encode(11, 9, 2, 8, rgb, filter: filter, interlace: true)).Pixels.ShouldBe(rgb);
        Png.Decode(TestPng.Encode(3, 2, 2, 8, rgb[..18], interlace: true)).Pixels.ShouldBe(rgb[..18]);   // passes with no pixels
    }

    [Fact]
    public void Grey_levels_of_every_depth_are_scaled_to_bytes()
    {
        // 16 bits: the sample rounded to 8 bits; 4, 2 and 1 bit: scaled so the largest level is 255.
        byte[] grey16 = { 0x00, 0x00, 0xFF, 0xFF, 0x80, 0x00, 0x12, 0x34 };
        Png.Decode(TestPng.Encode(4, 1, 0, 16, grey16)).Pixels.ShouldBe(new byte[] { 0, 255, 128, 18 });
        Png.Decode(TestPng.Encode(3, 1, 0, 4, new byte[] { 0x0F, 0x70 })).Pixels.ShouldBe(new byte[] { 0, 255, 119 });
        Png.Decode(TestPng.Encode(10, 1, 0, 1, new byte[] { 0b1010_0000, 0b1100_0000 })).Pixels.ShouldBe(new byte[] { 255, 0, 255, 0, 0, 0, 0, 0, 255, 255 });
        PngImage g = Png.Decode(TestPng.Encode(2, 2, 4, 8, new byte[] { 10, 255, 20, 128, 30, 0, 40, 7 }));
        g.Channels.ShouldBe(2);
        g.Rgb().ShouldBe(new byte[] { 10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40 });
    }

    [Fact]
    public void A_palette_image_is_expanded_with_its_transparency()
    {
        byte[] palette = { 255, 0, 0, 0, 255, 0, 0, 0, 255 };
        byte[] indices = { 0b0001_1000 };   // 2 bits: 0, 1, 2, 0
        PngImage plain = Png.Decode(TestPng.Encode(4, 1, 3, 2, indices, palette: palette));
        plain.Pixels.ShouldBe(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0 });
        PngImage clear = Png.Decode(TestPng.Encode(4, 1, 3, 2, indices, palette: palette, transparency: new byte[] { 0 }));
        clear.Channels.ShouldBe(4);
        clear.Pixels.ShouldBe(new byte[] { 255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 255, 255, 0, 0, 0 });
        clear.Rgb().ShouldBe(plain.Pixels);
        Should.Throw<InvalidDataException>(() => Png.Decode(TestPng.Encode(4, 1, 3, 2, new byte[] { 0b1100_0000 }, palette: palette), "p.png"))
            .Message.ShouldContain("palette entry 3 of 3");
    }

    [Fact]
    public void A_damaged_file_is_refused_with_its_name_and_the_fault()
    {
        byte[] good = TestPng.Encode(8, 8, 2, 8, Bytes(3 * 64, 3));
        string path = Path.Combine(_dir, "photo.png");

        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length - 20] ^= 0x40;   // inside IDAT's data
        File.WriteAllBytes(path, flipped);
        var crc = Should.Throw<InvalidDataException>(() => Png.Read(path));
        crc.Message.ShouldStartWith($"{path} is not a valid PNG: the CRC of chunk IDAT at byte 33 does not match");

        File.WriteAllBytes(path, good[..(good.Length - 30)]);
        Should.Throw<InvalidDataException>(() => Png.Read(path)).Message.ShouldContain("past the end of the file (truncated?)");
        File.WriteAllBytes(path, good[..(good.Length - 12)]);   // IEND cut off
        Should.Throw<InvalidDataException>(() => Png.Read(path)).Message.ShouldContain("no IEND chunk");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("GIF89a, not a PNG"));
        Should.Throw<InvalidDataException>(() => Png.Read(path)).Message.ShouldContain("does not start with the PNG signature");
        Should.Throw<InvalidDataException>(() => Png.Decode(TestPng.Encode(8, 8, 2, 8, Bytes(3 * 40, 3), pad: false), "short.png"))
            .Message.ShouldContain("short.png is not a valid PNG: its image data holds");
        Should.Throw<InvalidDataException>(() => Png.Decode(TestPng.Encode(2, 2, 2, 8, Bytes(12, 1), filter: 7), "f.png")).Message.ShouldContain("filter type 7");
        Should.Throw<FileNotFoundException>(() => Png.Read(Path.Combine(_dir, "absent.png"))).Message.ShouldContain("absent.png");
    }

    [Fact]
    public void Photographs_load_as_rgb_in_the_unit_range_and_a_bad_folder_is_named()
    {
        string folder = Path.Combine(_dir, "photos");
        Directory.CreateDirectory(folder);
        Should.Throw<InvalidDataException>(() => MnistM.LoadPhotos(folder)).Message.ShouldContain("holds no PNG files");
        Should.Throw<DirectoryNotFoundException>(() => MnistM.LoadPhotos(Path.Combine(_dir, "none"))).Message.ShouldContain(Path.Combine(_dir, "none"));

        File.WriteAllBytes(Path.Combine(folder, "b-grey.png"), TestPng.Encode(30, 29, 0, 8, Enumerable.Repeat((byte)51, 30 * 29).ToArray()));
        Png.Write(Path.Combine(folder, "a-colour.png"), 28, 28, Enumerable.Range(0, 28 * 28).SelectMany(_ => new byte[] { 255, 0, 102 }).ToArray());
        IReadOnlyList<Tensor> photos = MnistM.LoadPhotos(folder);
        photos.Count.ShouldBe(2);
        photos[0].shape.ShouldBe(new long[] { 3, 28, 28 });   // sorted by name
        photos[0][TensorIndex.Colon, 0, 0].data<float>().ToArray().ShouldBe(new[] { 1f, 0f, 0.4f }, 1e-6);
        photos[1].shape.ShouldBe(new long[] { 3, 29, 30 });
        Range(photos[1]).ShouldBe(new[] { 0.2f, 0.2f }, 1e-6);

        File.WriteAllBytes(Path.Combine(folder, "c-small.png"), TestPng.Encode(27, 40, 0, 8, new byte[27 * 40]));
        Should.Throw<InvalidDataException>(() => MnistM.LoadPhotos(folder)).Message.ShouldContain("c-small.png' is 27x40, smaller than the 28x28 crops");
        foreach (Tensor p in photos) p.Dispose();
    }

    [Fact]
    public void Mnist_m_blends_binarized_digits_with_random_crops_of_the_photographs()
    {
        using var scope = NewDisposeScope();
        MnistM.Binarize(tensor(new[] { 0f, 0.001f, 0.5f, 1f })).data<float>().ToArray().ShouldBe(new[] { 0f, 1f, 1f, 1f });

        // A photograph whose every pixel says where it is: channel 0 its row, channel 1 its column, channel 2 a constant.
        Tensor rows = arange(40f).div(100f).view(1, 40, 1).expand(1, 40, 50);
        Tensor cols = arange(50f).div(100f).view(1, 1, 50).expand(1, 40, 50);
        Tensor photo = cat(new[] { rows, cols, full(new long[] { 1, 40, 50 }, 0.7f) }, 0).contiguous();
        Tensor digits = zeros(200, 1, 28, 28);
        digits[TensorIndex.Colon, TensorIndex.Colon, 10, 10] = tensor(1f);
        Tensor blended = MnistM.Blend(digits, new[] { photo }, new TorchSharp.torch.Generator(3));
        blended.shape.ShouldBe(new long[] { 200, 3, 28, 28 });

        float[] top = blended[TensorIndex.Colon, 0, 0, 0].mul(100f).round().data<float>().ToArray(), left = blended[TensorIndex.Colon, 1, 0, 0].mul(100f).round().data<float>().ToArray();
        top.Min().ShouldBe(0f); top.Max().ShouldBe(12f);    // every crop position appears: rows 0–12 of 40 − 28
        left.Min().ShouldBe(0f); left.Max().ShouldBe(22f);  // columns 0–22
        top.Distinct().Count().ShouldBe(13);
        // Inside a crop the photograph is unchanged where the digit is 0 and |photo − 1| where it is 1.
        blended[0, TensorIndex.Colon, 0, 1].data<float>()[1].ShouldBe(left[0] / 100f + 0.01f, 1e-5);
        Range(blended[TensorIndex.Colon, 2, 10, 10]).ShouldBe(new[] { 0.3f, 0.3f }, 1e-6);
        Range(blended[TensorIndex.Colon, 2, 0, 0]).ShouldBe(new[] { 0.7f, 0.7f }, 1e-6);

        MnistM.Blend(digits, new[] { photo }, new TorchSharp.torch.Generator(3)).eq(blended).all().item<bool>().ShouldBeTrue();   // the seed decides the crops
        MnistM.Blend(digits, new[] { photo }, new TorchSharp.torch.Generator(4)).eq(blended).all().item<bool>().ShouldBeFalse();

        // The preprocessing's mean: per channel, over every set given.
        Tensor mean = MnistM.ChannelMean(ones(2, 3, 4, 4), zeros(6, 3, 4, 4));
        mean.shape.ShouldBe(new long[] { 1, 3, 1, 1 });
        mean.data<float>().ToArray().ShouldBe(new[] { 0.25f, 0.25f, 0.25f }, 1e-6);
    }

    [Fact]
    public void Dann_trains_on_mnist_m_from_a_folder_of_photographs_and_records_them()
    {
        // CI size: 200 crafted digits (a bar per class), two photographs made here, 30 steps of dann-digits-paper.
        string photos = Path.Combine(_dir, "photos");
        Directory.CreateDirectory(photos);
        Png.Write(Path.Combine(photos, "warm.png"), 40, 32, Enumerable.Range(0, 40 * 32).SelectMany(i => new[] { (byte)(200 + i % 50), (byte)(i % 97), (byte)60 }).ToArray());
        File.WriteAllBytes(Path.Combine(photos, "grey.png"), TestPng.Encode(30, 30, 0, 8, Bytes(900, 2), filter: 4));
        string run = Path.Combine(_dir, "dann");
        var settings = new TrainSettings("dann-digits-paper", "mnist-m", Steps: 30, BatchSize: 16, Seed: 0, Device: "cpu", Out: run, EvalSamples: 10, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = CraftedSet.WriteBars(Path.Combine(_dir, "data"), 200, 100), Photos = photos });
        _ = GanDsl.Samples.Catalog.ModelCatalog.Entries;
        TrainCommand.Run(settings, TextWriter.Null).ShouldBe(0);

        File.ReadAllBytes(Path.Combine(run, "domains.png"))[..4].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47 });
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var m = json.RootElement;
        string data = m.GetProperty("data").GetString()!;
        data.ShouldContain("source: binarized MNIST");
        data.ShouldContain($"crops of 2 photographs in {photos}");
        data.ShouldContain("minus the per-channel pixel mean of both training sets (");
        double target = m.GetProperty("target_test_accuracy").GetDouble();
        target.ShouldBeInRange(0, 1);
        m.GetProperty("domain_classifier_accuracy").GetDouble().ShouldBeInRange(0, 1);
    }

    [Fact]
    public void Mnist_m_without_photographs_says_what_to_give()
    {
        var settings = new TrainSettings("dann-digits-paper", "mnist-m", Steps: 1, BatchSize: 8, Seed: 0, Device: "cpu", Out: Path.Combine(_dir, "run"), EvalSamples: 10, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = Path.Combine(_dir, "no-mnist-needed"), Photos = null });
        _ = GanDsl.Samples.Catalog.ModelCatalog.Entries;
        var e = Should.Throw<ArgumentException>(() => TrainCommand.Run(settings, TextWriter.Null));
        e.Message.ShouldContain("give a folder of PNG photographs with --photos DIR (or $GANDSL_PHOTOS)");

        var missing = settings with { DataOptions = new DataOptions { Folder = Path.Combine(_dir, "no-mnist-needed"), Photos = Path.Combine(_dir, "nowhere") } };
        Should.Throw<DirectoryNotFoundException>(() => TrainCommand.Run(missing, TextWriter.Null)).Message.ShouldContain("nowhere");
    }
}

/// <summary>A PNG encoder of the tests' own, independent of <see cref="Png"/>: any colour type and depth, one filter type for
/// every row (applied forwards, as an encoder does), optionally Adam7-interlaced.</summary>
internal static class TestPng
{
    public static byte[] Encode(int width, int height, int colour, int depth, byte[] samples, int filter = 0, bool interlace = false,
                                byte[]? palette = null, byte[]? transparency = null, bool pad = true)
    {
        int channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bits = channels * depth;
        int fullStride = (width * bits + 7) / 8;
        var raw = new MemoryStream();
        (int Y, int X, int Dy, int Dx)[] passes = interlace
            ? new[] { (0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1) }
            : new[] { (0, 0, 1, 1) };
        foreach (var (py, px, dy, dx) in passes)
        {
            int w = (width - px + dx - 1) / dx, h = (height - py + dy - 1) / dy;
            if (w <= 0 || h <= 0) continue;
            int stride = (w * bits + 7) / 8, bpp = Math.Max(1, bits / 8);
            byte[] previous = new byte[stride];
            for (int y = 0; y < h; y++)
            {
                // The pass's row: pixels (py + y·dy, px + x·dx), packed at the image's bit depth.
                byte[] row = new byte[stride];
                for (int x = 0; x < w; x++)
                    for (int b = 0; b < bits; b++)
                    {
                        int sourceBit = ((py + y * dy) * fullStride * 8) + (px + x * dx) * bits + b;
                        int sourceByte = sourceBit >> 3;
                        int bit = sourceByte < samples.Length ? (samples[sourceByte] >> (7 - (sourceBit & 7))) & 1 : 0;
                        int target = x * bits + b;
                        row[target >> 3] |= (byte)(bit << (7 - (target & 7)));
                    }
                raw.WriteByte((byte)filter);
                for (int i = 0; i < stride; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, up = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                    int predicted = filter switch
                    {
                        1 => a, 2 => up, 3 => (a + up) / 2,
                        4 => Math.Abs(up - c) <= Math.Abs(a - c) && Math.Abs(up - c) <= Math.Abs(a + up - 2 * c) ? a
                             : Math.Abs(a - c) <= Math.Abs(a + up - 2 * c) ? up : c,
                        _ => 0,
                    };
                    raw.WriteByte((byte)(row[i] - predicted));
                }
                previous = row;
            }
        }
        byte[] image = raw.ToArray();
        if (!pad) image = image[..(image.Length / 2)];

        var file = new MemoryStream();
        file.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)depth; header[9] = (byte)colour; header[12] = (byte)(interlace ? 1 : 0);
        Chunk(file, "IHDR", header);
        if (palette is not null) Chunk(file, "PLTE", palette);
        if (transparency is not null) Chunk(file, "tRNS", transparency);
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(image);
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", Array.Empty<byte>());
        return file.ToArray();
    }

    private static void Chunk(Stream file, string type, byte[] data)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        file.Write(word);
        byte[] typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        file.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Png.Crc32(typeAndData));   // Png.Crc32 is checked against the standard's check value
        file.Write(word);
    }
}
