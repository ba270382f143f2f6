using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Gan.Runtime.Nets;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

/// <summary>Image batches, value ranges, grids, interpolation paths and saved weights.</summary>
public sealed class ImageRuntimeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-img-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>10 images of 2x2 whose pixels all equal their index / 10, labelled with their index.</summary>
    private static (Tensor Images, Tensor Labels) Indexed(int n = 10)
    {
        var images = arange(n, dtype: float32).div(n).view(n, 1, 1, 1).expand(n, 1, 2, 2).contiguous();
        return (images, arange(n, dtype: int64));
    }

    [Fact]
    public void Bytes_become_unit_pixels_in_idx_order()
    {
        using var t = DataRanges.FromBytes(new byte[] { 0, 255, 51, 102, 0, 0, 0, 255 }, 2, 2, 2);
        t.shape.ShouldBe(new long[] { 2, 1, 2, 2 });
        t.data<float>().ToArray().ShouldBe(new[] { 0f, 1f, 0.2f, 0.4f, 0f, 0f, 0f, 1f }, tolerance: 1e-6f);
    }

    [Theory]
    [InlineData(DataRange.ZeroToOne, 0f, 1f)]
    [InlineData(DataRange.MinusOneToOne, -1f, 1f)]
    public void Batches_are_scaled_to_the_declared_range_and_back(DataRange range, float low, float high)
    {
        using var images = tensor(new[] { 0f, 1f, 0.5f, 0.25f }, new long[] { 4, 1, 1, 1 });
        using var source = new ImageBatchSource(images, arange(4, dtype: int64), 4, CPU, range, seed: 1);
        var batch = source.Next();
        var x = batch["x"];
        var y = batch["y"];
        x.min().item<float>().ShouldBe(low, 1e-6f);
        x.max().item<float>().ShouldBe(high, 1e-6f);
        // Labels stay with their images, and ToUnit undoes the scaling.
        using var unit = DataRanges.ToUnit(x, range);
        for (int i = 0; i < 4; i++)
            unit[i].item<float>().ShouldBe(images[y[i].item<long>()].item<float>(), 1e-6f);
    }

    [Fact]
    public void An_undeclared_range_is_an_error_that_says_what_to_declare()
    {
        var (images, labels) = Indexed();
        var e = Should.Throw<InvalidOperationException>(() => new ImageBatchSource(images, labels, 2, CPU, DataRange.Unspecified, 0));
        e.Message.ShouldContain("Range = DataRange.ZeroToOne");
        e.Message.ShouldContain("[Data] attribute");
    }

    [Fact]
    public void An_epoch_shows_every_example_once_shuffled_by_the_seed()
    {
        var (images, labels) = Indexed();
        List<long> Epoch(ImageBatchSource s) => Enumerable.Range(0, 5).SelectMany(_ => s.Next()["y"].data<long>().ToArray()).ToList();

        using var a = new ImageBatchSource(images, labels, 2, CPU, DataRange.ZeroToOne, seed: 42);
        using var b = new ImageBatchSource(images, labels, 2, CPU, DataRange.ZeroToOne, seed: 42);
        using var c = new ImageBatchSource(images, labels, 2, CPU, DataRange.ZeroToOne, seed: 43);
        var first = Epoch(a);
        first.OrderBy(v => v).ShouldBe(Enumerable.Range(0, 10).Select(v => (long)v));
        first.ShouldNotBe(Enumerable.Range(0, 10).Select(v => (long)v), "not shuffled");
        Epoch(b).ShouldBe(first);
        Epoch(c).ShouldNotBe(first);
        a.Epoch.ShouldBe(0);
        var second = Epoch(a);
        a.Epoch.ShouldBe(1);
        second.OrderBy(v => v).ShouldBe(first.OrderBy(v => v));
        second.ShouldNotBe(first, "each epoch has its own order");
        // Pixels follow their labels.
        var batch = a.Next();
        batch["x"][0, 0, 0, 0].item<float>().ShouldBe(batch["y"][0].item<long>() / 10f, 1e-6f);
    }

    [Fact]
    public void A_grid_places_each_image_in_its_cell()
    {
        // Three 2x2 images: black, white, and a single white pixel at (row 1, column 0).
        using var images = zeros(3, 1, 2, 2);
        images[1].fill_(1);
        images[2, 0, 1, 0] = tensor(1f);
        byte[] rgb = ImageGrid.Render(images, columns: 2, padding: 1, scale: 1, out int width, out int height);
        width.ShouldBe(1 + 2 * (2 + 1));
        height.ShouldBe(1 + 2 * (2 + 1));
        byte At(int x, int y) => rgb[3 * (y * width + x)];
        At(0, 0).ShouldBe((byte)24);     // background
        At(1, 1).ShouldBe((byte)0);      // image 0
        At(4, 2).ShouldBe((byte)255);    // image 1
        At(1, 5).ShouldBe((byte)255);    // image 2, row 1, column 0
        At(2, 5).ShouldBe((byte)0);
        At(1, 4).ShouldBe((byte)0);
        At(5, 5).ShouldBe((byte)24);     // the empty fourth cell
        string path = Path.Combine(_dir, "grid.png");
        ImageGrid.Write(path, images, columns: 2, padding: 1, scale: 3);
        File.ReadAllBytes(path)[..8].ShouldBe(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
    }

    [Fact]
    public void Interpolation_paths_start_and_end_at_the_codes()
    {
        using var a = tensor(new[] { 1f, 0f, 2f, 0f }, new long[] { 2, 2 });
        using var b = tensor(new[] { 0f, 1f, 0f, -2f }, new long[] { 2, 2 });
        foreach (var kind in new[] { InterpolationKind.Linear, InterpolationKind.Spherical })
        {
            using var path = Interpolation.Path(a, b, 5, kind);
            path.shape.ShouldBe(new long[] { 10, 2 });
            (path[0] - a[0]).abs().max().item<float>().ShouldBeLessThan(1e-6f);
            (path[4] - b[0]).abs().max().item<float>().ShouldBeLessThan(1e-6f);
            (path[5] - a[1]).abs().max().item<float>().ShouldBeLessThan(1e-6f);
            (path[9] - b[1]).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        }
        using var linear = Interpolation.Path(a, b, 3, InterpolationKind.Linear);
        linear[1].data<float>().ToArray().ShouldBe(new[] { 0.5f, 0.5f });
        // Slerp between orthogonal unit codes stays on the unit circle: the midpoint is (1, 1)/√2.
        using var slerp = Interpolation.Path(a, b, 3, InterpolationKind.Spherical);
        slerp[1].data<float>().ToArray().ShouldBe(new[] { MathF.Sqrt(0.5f), MathF.Sqrt(0.5f) }, tolerance: 1e-5f);
        for (int i = 0; i < 3; i++) slerp[i].norm().item<float>().ShouldBe(1f, 1e-5f);
    }

    [Fact]
    public void Weights_round_trip_and_a_damaged_file_is_refused()
    {
        using var net = Nets.Mlp(3, 4, 1);
        using var other = Nets.Mlp(3, 4, 1);
        string path = Path.Combine(_dir, "model.bin");
        string sha = ModelWeights.Save(net, path);
        File.Exists(path + ".tmp").ShouldBeFalse();
        ModelWeights.Load(other, path, sha);
        using var x = randn(2, 3);
        (net.forward(x) - other.forward(x)).abs().max().item<float>().ShouldBe(0f);

        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Should.Throw<InvalidDataException>(() => ModelWeights.Load(other, path, sha));
        e.Message.ShouldStartWith($"{path}: checksum mismatch (expected SHA-256 {sha}, file has ");
        var unchecked_ = Should.Throw<InvalidDataException>(() => ModelWeights.Load(other, path));
        unchecked_.Message.ShouldStartWith($"{path}: cannot load these weights");
        Should.Throw<FileNotFoundException>(() => ModelWeights.Load(other, Path.Combine(_dir, "missing.bin")));
    }
}
