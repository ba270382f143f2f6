using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>How the committed golden checkpoints (tests/GanDsl.Tests/Golden) were made, and what they must load back to:
/// GanK3 built after seed 7, three steps on the 8-Gaussian ring (batch 16) after seed 99, saved at step 3 of 10 with the
/// linear schedule; for format 2 also an EMA of G (decay 0.5) updated after each step. The manifest beside each file holds
/// what is read back without computing anything machine-dependent: SHA-256 of each player's parameters and of the EMA's
/// weights (float32 bytes, in order), and the four numbers torch.rand(4) draws after the save (the generator state in
/// the file).</summary>
internal static class GoldenCheckpoint
{
    public const int Steps = 3, TotalSteps = 10, Batch = 16;

    public static string Sha256Of(IEnumerable<Tensor> tensors)
    {
        using var sha = SHA256.Create();
        foreach (Tensor t in tensors)
        {
            float[] values = t.detach().cpu().contiguous().data<float>().ToArray();
            byte[] bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
        return Convert.ToHexString(sha.Hash!).ToLowerInvariant();
    }

    /// <summary>Writes <c>gank3-format{format}.ckpt</c> and its <c>.json</c> manifest into <paramref name="folder"/>.</summary>
    public static void Write(string folder, int format)
    {
        Directory.CreateDirectory(folder);
        manual_seed(7);
        using var model = new GanK3(CPU);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), Batch, CPU);
        string path = Path.Combine(folder, $"gank3-format{format}.ckpt");
        var manifest = new Dictionary<string, object?>();
#if GOLDEN_FORMAT1
        manual_seed(99);
        for (int i = 0; i < Steps; i++) model.TrainStep(data);
        Checkpoint.Save(path, model, data, Steps, TotalSteps, "linear");
#else
        using var ema = format >= 2 ? new ExponentialMovingAverage(model, 0.5) : null;
        manual_seed(99);
        for (int i = 0; i < Steps; i++)
        {
            model.TrainStep(data);
            ema?.Update();
        }
        Checkpoint.Save(path, model, data, Steps, TotalSteps, "linear", ema);
        if (ema is not null) manifest["ema_sha256"] = Sha256Of(ema.Parameters);
#endif
        manifest["rand_after"] = rand(4).data<float>().ToArray();
        IAdversarialModel adversarial = model;
        foreach (string player in adversarial.Players) manifest[$"{player}_sha256"] = Sha256Of(adversarial.PlayerParameters(player));
        File.WriteAllText(Path.ChangeExtension(path, ".json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
    }
}
