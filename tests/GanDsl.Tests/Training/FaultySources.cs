using System;
using System.IO;
using Gan.Runtime;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Passes batches through, and after <paramref name="batches"/> of them throws, like a process killed mid-run.
/// It keeps the wrapped source's checkpoint state where that source has one.</summary>
internal sealed class KilledAfter(IBatchSource inner, int batches) : IBatchSource, ICheckpointableSource
{
    private int _served;
    public int BatchSize => inner.BatchSize;
    public Device Device => inner.Device;
    public Batch Next() => ++_served > batches ? throw new OperationCanceledException("killed") : inner.Next();
    public void SaveState(BinaryWriter writer) => (inner as ICheckpointableSource)?.SaveState(writer);
    public void LoadState(BinaryReader reader) => (inner as ICheckpointableSource)?.LoadState(reader);
}

/// <summary>Passes <paramref name="goodBatches"/> batches through, then the same batches with every x NaN (a diverging run's data).</summary>
internal sealed class NaNAfter(IBatchSource inner, int goodBatches) : IBatchSource
{
    private int _served;
    public int BatchSize => inner.BatchSize;
    public Device Device => inner.Device;
    public Batch Next()
    {
        Batch b = inner.Next();
        return ++_served > goodBatches ? new Batch(b["x"].fill_(float.NaN)) : b;
    }
}
