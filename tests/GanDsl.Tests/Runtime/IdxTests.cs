using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Gan.Runtime.Data;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Runtime;

/// <summary>The IDX reader on crafted files: good ones (raw and gzip) and every kind of bad one.</summary>
public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-idx-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Path_(string name) => Path.Combine(_dir, name);

    private static IdxImages ThreeImages() => new(3, 2, 4, Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray());

    private string Gzip(string path)
    {
        string gz = path + ".gz";
        using (var output = File.Create(gz))
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            gzip.Write(File.ReadAllBytes(path));
        return gz;
    }

    [Fact]
    public void Round_trip_raw_and_gzip()
    {
        string images = Path_("images-idx3-ubyte"), labels = Path_("labels-idx1-ubyte");
        Idx.WriteImages(images, ThreeImages());
        Idx.WriteLabels(labels, new byte[] { 7, 0, 9 });
        foreach (var (i, l) in new[] { (images, labels), (Gzip(images), Gzip(labels)) })
        {
            var (read, readLabels) = Idx.ReadLabelled(i, l);
            read.Count.ShouldBe(3);
            read.Rows.ShouldBe(2);
            read.Columns.ShouldBe(4);
            read.Pixels.ShouldBe(ThreeImages().Pixels);
            readLabels.ShouldBe(new byte[] { 7, 0, 9 });
        }
    }

    [Fact]
    public void Header_bytes_are_big_endian_as_in_mnist()
    {
        string images = Path_("i");
        Idx.WriteImages(images, ThreeImages());
        File.ReadAllBytes(images)[..16].ShouldBe(new byte[] { 0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4 });
    }

    [Fact]
    public void Truncated_images_name_the_file_and_the_shortfall()
    {
        string images = Path_("i");
        Idx.WriteImages(images, ThreeImages());
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..30]);
        var e = Should.Throw<InvalidDataException>(() => Idx.ReadImages(images));
        e.Message.ShouldContain(images);
        e.Message.ShouldContain("truncated");
        e.Message.ShouldContain("3 images of 2×4 (24 bytes) but only 14 bytes follow");
    }

    [Fact]
    public void Truncated_header()
    {
        string images = Path_("i");
        File.WriteAllBytes(images, new byte[] { 0, 0, 8, 3, 0, 0 });
        Should.Throw<InvalidDataException>(() => Idx.ReadImages(images)).Message.ShouldContain("shorter than its header");
    }

    [Fact]
    public void Truncated_gzip()
    {
        string images = Path_("i");
        Idx.WriteImages(images, ThreeImages());
        string gz = Gzip(images);
        File.WriteAllBytes(gz, File.ReadAllBytes(gz)[..20]);
        var e = Should.Throw<InvalidDataException>(() => Idx.ReadImages(gz));
        e.Message.ShouldContain(gz);
    }

    [Fact]
    public void Labels_file_given_as_images_is_a_wrong_magic()
    {
        string labels = Path_("l");
        Idx.WriteLabels(labels, new byte[] { 1, 2, 3 });
        var e = Should.Throw<InvalidDataException>(() => Idx.ReadImages(labels));
        e.Message.ShouldContain("magic number 0x00000801 (that is a labels file), expected 0x00000803");
    }

    [Fact]
    public void Not_an_idx_file()
    {
        string text = Path_("readme.txt");
        File.WriteAllText(text, "hello, world");
        Should.Throw<InvalidDataException>(() => Idx.ReadLabels(text)).Message.ShouldContain("not an IDX labels file");
    }

    [Fact]
    public void Label_and_image_counts_must_agree()
    {
        string images = Path_("i"), labels = Path_("l");
        Idx.WriteImages(images, ThreeImages());
        Idx.WriteLabels(labels, new byte[] { 1, 2 });
        var e = Should.Throw<InvalidDataException>(() => Idx.ReadLabelled(images, labels));
        e.Message.ShouldContain("2 labels for 3 images");
    }

    [Fact]
    public void Trailing_bytes_are_an_error()
    {
        string labels = Path_("l");
        Idx.WriteLabels(labels, new byte[] { 1, 2 });
        File.AppendAllText(labels, "xx");
        Should.Throw<InvalidDataException>(() => Idx.ReadLabels(labels)).Message.ShouldContain("2 unexpected bytes after 2 labels");
    }

    [Fact]
    public void Missing_file()
    {
        Should.Throw<FileNotFoundException>(() => Idx.ReadImages(Path_("absent"))).Message.ShouldContain("absent");
    }

    [SkippableFact]
    public void Real_fashion_mnist_when_debian_ships_it()
    {
        // Debian's dataset-fashion-mnist, when installed (not on CI by default): the real files parse.
        const string folder = "/usr/share/datasets/fashion-mnist";
        string images = Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), labels = Path.Combine(folder, "t10k-labels-idx1-ubyte.gz");
        Skip.IfNot(File.Exists(images) && File.Exists(labels), $"Debian's dataset-fashion-mnist is not installed ({folder})");
        var (read, readLabels) = Idx.ReadLabelled(images, labels);
        read.Count.ShouldBe(10000);
        (read.Rows, read.Columns).ShouldBe((28, 28));
        readLabels.Max().ShouldBe((byte)9);
    }
}
