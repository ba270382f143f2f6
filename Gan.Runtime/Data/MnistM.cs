using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Runtime.Imaging;
using static TorchSharp.torch;

namespace Gan.Runtime.Data;

/// <summary>MNIST-M as Ganin &amp; Lempitsky 2015 (§4.2) build it, read from their code (`../shared/PROTOCOLS.md`): each digit
/// binarized (a pixel above 0 becomes 1), repeated on three channels and blended with a random 28×28 crop of a random
/// photograph as |photo − digit|; the network reads both domains minus the per-channel pixel mean of both training sets.
/// The authors crop BSDS500; any folder of PNG photographs may stand in for it (<see cref="LoadPhotos"/>).</summary>
public static class MnistM
{
    /// <summary>The photographs of a folder: every <c>*.png</c> in it (not its subfolders), sorted by name, as RGB tensors
    /// [3, H, W] in [0, 1] (grey photographs on three equal channels, alpha dropped). Errors name the folder or the file:
    /// a missing folder, one without PNG files, a photograph smaller than the crop, a corrupt file.</summary>
    public static IReadOnlyList<Tensor> LoadPhotos(string folder, int crop = 28)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The photographs folder '{folder}' does not exist (MNIST-M's target blends the digits with crops of PNG photographs in it).");
        string[] files = Directory.GetFiles(folder, "*.png").Concat(Directory.GetFiles(folder, "*.PNG")).Distinct().OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new InvalidDataException($"The photographs folder '{folder}' holds no PNG files (MNIST-M's target needs at least one photograph; JPEGs must be converted to PNG).");
        var photos = new List<Tensor>(files.Length);
        foreach (string file in files)
        {
            PngImage image = Png.Read(file);
            if (image.Width < crop || image.Height < crop)
                throw new InvalidDataException($"The photograph '{file}' is {image.Width}x{image.Height}, smaller than the {crop}x{crop} crops MNIST-M takes.");
            using var bytes = tensor(image.Rgb(), new long[] { image.Height, image.Width, 3 });
            photos.Add(bytes.permute(2, 0, 1).to(ScalarType.Float32).div_(255f).contiguous());
        }
        return photos;
    }

    /// <summary>Digits [n, 1, H, W] binarized as the authors' code does: every pixel above 0 becomes 1, the rest 0.</summary>
    public static Tensor Binarize(Tensor digits) => digits.gt(0).to(ScalarType.Float32);

    /// <summary>Binarized digits [n, 1, H, W] blended with random crops of <paramref name="photos"/>: for each digit a photograph
    /// drawn uniformly and a crop position drawn uniformly within it, then |crop − digit| per channel: [n, 3, H, W] in [0, 1].</summary>
    public static Tensor Blend(Tensor digits, IReadOnlyList<Tensor> photos, Generator generator)
    {
        if (digits.dim() != 4 || digits.shape[1] != 1)
            throw new ArgumentException($"MnistM.Blend needs grey digits [n, 1, H, W]; got [{string.Join(", ", digits.shape)}].");
        if (photos.Count == 0) throw new ArgumentException("MnistM.Blend needs at least one photograph.");
        long n = digits.shape[0], h = digits.shape[2], w = digits.shape[3];
        foreach (Tensor p in photos)
            if (p.dim() != 3 || p.shape[0] != 3 || p.shape[1] < h || p.shape[2] < w)
                throw new ArgumentException($"A photograph [{string.Join(", ", p.shape)}] is not an RGB image [3, H ≥ {h}, W ≥ {w}].");
        using var scope = NewDisposeScope();
        // One draw of three uniforms per digit: which photograph, and where the crop starts in it.
        float[] u = rand(new long[] { n, 3 }, generator: generator).data<float>().ToArray();
        var crops = new Tensor[n];
        for (long i = 0; i < n; i++)
        {
            Tensor photo = photos[Math.Min(photos.Count - 1, (int)(u[3 * i] * photos.Count))];
            long top = Math.Min(photo.shape[1] - h, (long)(u[3 * i + 1] * (photo.shape[1] - h + 1)));
            long left = Math.Min(photo.shape[2] - w, (long)(u[3 * i + 2] * (photo.shape[2] - w + 1)));
            crops[i] = photo.narrow(1, top, h).narrow(2, left, w);
        }
        Tensor background = stack(crops, 0);
        return (background - digits.expand(n, 3, h, w)).abs().MoveToOuterDisposeScope();
    }

    /// <summary>The per-channel pixel mean [1, C, 1, 1] of the given image sets together (the authors subtract the mean of
    /// both domains' training sets from every input).</summary>
    public static Tensor ChannelMean(params Tensor[] images)
    {
        if (images.Length == 0) throw new ArgumentException("ChannelMean needs at least one set of images.");
        using var scope = NewDisposeScope();
        Tensor sum = zeros(images[0].shape[1], dtype: ScalarType.Float64);
        long count = 0;
        foreach (Tensor set in images)
        {
            sum += set.to(ScalarType.Float64).sum(new long[] { 0, 2, 3 });
            count += set.shape[0] * set.shape[2] * set.shape[3];
        }
        return (sum / count).to(ScalarType.Float32).view(1, -1, 1, 1).MoveToOuterDisposeScope();
    }
}
