using System;
using System.Collections.Generic;
using Gan.Dsl;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Data;

/// <summary>Minibatches of a labelled image set, held on the training device in the declared value range and
/// shuffled each epoch with the run's seed (its own generator, so the model's noise is not disturbed).
/// A batch has the images under <c>x</c> (or the field given) and the labels (int64) under <c>y</c>.</summary>
public sealed class ImageBatchSource : IBatchSource, ICheckpointableSource, IDisposable
{
    private readonly Tensor _images;   // [N, C, H, W], float32, in the declared range, on the device
    private readonly Tensor _labels;   // [N], int64, on the device
    private readonly torch.Generator _generator;
    private readonly string _imageField, _labelField;
    private Tensor? _order;
    private long _position;

    /// <param name="images">[N, C, H, W] pixels in [0, 1] (float) — see <see cref="DataRanges.FromBytes"/>.</param>
    /// <param name="labels">[N] class labels.</param>
    /// <param name="batchSize">Examples per batch (at most the set's size).</param>
    /// <param name="device">Where the set and its batches live.</param>
    /// <param name="range">The range the model declared for its data; pixels are mapped from [0, 1] to it.</param>
    /// <param name="seed">Seeds the shuffling (the run's seed: same seed, same batches).</param>
    /// <param name="imageField">The batch field of the images (the model's data variable's field).</param>
    /// <param name="labelField">The batch field of the labels.</param>
    public ImageBatchSource(Tensor images, Tensor labels, int batchSize, Device device, DataRange range, long seed,
                            string imageField = "x", string labelField = "y")
    {
        if (images.dim() != 4) throw new ArgumentException($"Images must be [N, C, H, W]; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"Labels must be [N] with N = {images.shape[0]} images; got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (batchSize <= 0 || batchSize > images.shape[0])
            throw new ArgumentException($"The batch size must be between 1 and the {images.shape[0]} examples (got {batchSize}).", nameof(batchSize));
        BatchSize = batchSize;
        Device = device;
        Range = range;
        Count = images.shape[0];
        _imageField = imageField;
        _labelField = labelField;
        using (var scope = NewDisposeScope())
        {
            _images = DataRanges.FromUnit(images.to(float32), range).to(device).DetachFromDisposeScope();
            _labels = labels.to(int64).to(device).DetachFromDisposeScope();
        }
        _generator = new torch.Generator((ulong)seed);
    }

    public int BatchSize { get; }
    public Device Device { get; }
    public DataRange Range { get; }
    /// <summary>Examples in the set.</summary>
    public long Count { get; }
    /// <summary>Full epochs completed (a partial last batch is dropped, as usual for GAN training).</summary>
    public long Epoch { get; private set; }
    /// <summary>Batches per epoch.</summary>
    public long BatchesPerEpoch => Count / BatchSize;

    public Batch Next()
    {
        if (_order is null || _position + BatchSize > Count)
        {
            if (_order is not null) Epoch++;
            _order?.Dispose();
            // Next() runs inside the caller's dispose scope; the epoch's order must outlive it.
            using (var scope = NewDisposeScope())
                _order = torch.randperm(Count, generator: _generator).to(Device).DetachFromDisposeScope();
            _position = 0;
        }
        using var index = _order.narrow(0, _position, BatchSize);
        _position += BatchSize;
        return new Batch(new Dictionary<string, Tensor>
        {
            [_imageField] = _images.index_select(0, index),
            [_labelField] = _labels.index_select(0, index),
        });
    }

    /// <summary>Writes the epoch, the position in it, its order and the shuffling generator's state.</summary>
    public void SaveState(System.IO.BinaryWriter writer)
    {
        writer.Write(Count);
        writer.Write(Epoch);
        writer.Write(_position);
        writer.Write(_order is not null);
        if (_order is not null)
            using (var scope = NewDisposeScope()) _order.cpu().Save(writer);
        using var state = _generator.get_state();
        state.Save(writer);
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote; the set must have the same size.</summary>
    public void LoadState(System.IO.BinaryReader reader)
    {
        long count = reader.ReadInt64();
        if (count != Count)
            throw new System.IO.InvalidDataException($"The checkpoint's batch source had {count} examples; this one has {Count}: resume with the same data (and --held-out).");
        Epoch = reader.ReadInt64();
        _position = reader.ReadInt64();
        _order?.Dispose();
        _order = null;
        if (reader.ReadBoolean())
        {
            Tensor? order = torch.zeros(Count, dtype: int64);
            TensorExtensionMethods.Load(ref order, reader);
            _order = order!.to(Device).DetachFromDisposeScope();
        }
        Tensor? state = _generator.get_state();
        TensorExtensionMethods.Load(ref state, reader);
        _generator.set_state(state!);
        state!.Dispose();
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
        _order?.Dispose();
        _generator.Dispose();
    }
}

/// <summary>Maps between pixels in [0, 1] and a model's declared <see cref="DataRange"/>.</summary>
public static class DataRanges
{
    /// <summary>Bytes 0..255 (IDX order, N×H×W) to a float tensor [N, 1, H, W] in [0, 1].</summary>
    public static Tensor FromBytes(byte[] pixels, int count, int rows, int columns)
    {
        if ((long)count * rows * columns != pixels.LongLength)
            throw new ArgumentException($"{pixels.LongLength} pixels are not {count} images of {rows}x{columns}.", nameof(pixels));
        using var bytes = torch.tensor(pixels, new long[] { count, 1, rows, columns }, dtype: uint8);
        return bytes.to(float32).div_(255);
    }

    /// <summary>Pixels in [0, 1] to the declared range.</summary>
    public static Tensor FromUnit(Tensor unit, DataRange range) => range switch
    {
        DataRange.ZeroToOne => unit.clone(),
        DataRange.MinusOneToOne => unit.mul(2).sub_(1),
        _ => throw new InvalidOperationException(
            "The model does not declare the range of its image data. Add Range = DataRange.ZeroToOne (sigmoid output) or " +
            "Range = DataRange.MinusOneToOne (tanh output) to its [Data] attribute, matching the generator's output activation."),
    };

    /// <summary>Values in the declared range (e.g. generated samples) back to [0, 1], clamped, for pictures and metrics.</summary>
    public static Tensor ToUnit(Tensor values, DataRange range) => range switch
    {
        DataRange.ZeroToOne => values.clamp(0, 1),
        DataRange.MinusOneToOne => values.add(1).div_(2).clamp_(0, 1),
        _ => throw new InvalidOperationException("The model does not declare the range of its image data (Range on its [Data] attribute)."),
    };
}
