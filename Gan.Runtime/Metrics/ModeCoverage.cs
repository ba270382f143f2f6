using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Gan.Runtime.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Metrics;

/// <summary>
/// Mode coverage of generated 2-D samples against a <see cref="GaussianMixture2D"/>: the metric of VEEGAN
/// (Srivastava et al. 2017, §5) and of PacGAN's Table 1 (Lin et al. 2018, §4.1).
/// </summary>
/// <remarks>
/// <para>The protocol, as the PacGAN authors' evaluation code implements it
/// (github.com/fjxmlzn/PacGAN, <c>synthetic_data_experiments/PacGAN/pacgan/extensions.py</c>, <c>MetricLogger</c>):</para>
/// <list type="number">
/// <item>Each sample is assigned to its nearest mode, by Euclidean distance (all modes share one isotropic std,
/// so this is also the nearest mode in units of std, which is how that code measures it).</item>
/// <item>A sample is <b>high quality</b> when that distance is below 3 std (strictly: <c>min_dis &lt; 3</c>).
/// In 2-D the distance of a true sample from its mode follows a Rayleigh law, so even perfect samples are high
/// quality with probability 1 − e^(−4.5) ≈ 0.9889, not 0.997.</item>
/// <item>Only high-quality samples are counted in the per-mode histogram (<see cref="HighQualityCountsPerMode"/>,
/// the code's <c>detail_of_coverage</c>). A mode is <b>captured</b> when at least one high-quality sample
/// falls in it (<c>len(nonzero(detail_of_coverage))</c>).</item>
/// <item><see cref="ReverseKl"/> = KL(p ‖ u) = Σ_k p_k ln(p_k · K), where p is that histogram normalised and u is
/// the uniform distribution over the K modes (the true mode distribution, all weights being equal).
/// It is "reverse" because the generated distribution comes first; natural logarithm. Empty bins contribute
/// 0 (0 · ln 0 = 0), which keeps the value finite under mode collapse: all mass on one mode gives ln K
/// (ln 8 ≈ 2.079 for the ring, ln 25 ≈ 3.219 for the grid); a perfectly balanced histogram gives 0.
/// With no high-quality sample at all the histogram is empty and the value is undefined: <c>null</c>.</item>
/// </list>
/// <para>Choices to know about: the authors' code reports a Jensen–Shannon divergence of that same histogram
/// against uniform; the paper's Table 1 reports the reverse KL, which is what is computed here, on the same
/// high-quality histogram. The paper compares with the mode histogram of real samples, whose expectation is the
/// uniform distribution used here (exact, and free of sampling noise). PacGAN draws 2,500 generated samples per
/// evaluation; the sample count is the caller's choice and is reported. Non-finite samples (a diverged generator)
/// are never high quality and count in <see cref="SampleCount"/>.</para>
/// </remarks>
/// <param name="Mixture">The mixture's name.</param>
/// <param name="ModesCaptured">Modes with at least one high-quality sample.</param>
/// <param name="ModesTotal">Modes in the mixture.</param>
/// <param name="HighQualityFraction">High-quality samples / all samples (0 when there are none).</param>
/// <param name="ReverseKl">KL(generated mode histogram ‖ uniform), natural log; null when no sample is high quality.</param>
/// <param name="SampleCount">Samples scored.</param>
/// <param name="HighQualityCountsPerMode">High-quality samples per mode, in the order of <see cref="GaussianMixture2D.Means"/>.</param>
/// <param name="Protocol">A one-line description of the protocol above.</param>
public sealed record ModeCoverage(
    string Mixture,
    int ModesCaptured,
    int ModesTotal,
    double HighQualityFraction,
    double? ReverseKl,
    long SampleCount,
    IReadOnlyList<long> HighQualityCountsPerMode,
    string Protocol)
{
    /// <summary>A sample closer than this many std to its nearest mode is high quality.</summary>
    public const double HighQualityRadiusInStd = 3.0;

    /// <summary>The value of <see cref="Protocol"/>.</summary>
    public const string ProtocolDescription =
        "VEEGAN/PacGAN (Lin et al. 2018, Table 1; fjxmlzn/PacGAN MetricLogger): nearest mode by Euclidean distance; " +
        "high quality if closer than 3 std; a mode is captured if >= 1 high-quality sample is nearest to it; " +
        "reverse KL = sum_k p_k ln(p_k K) over the high-quality mode histogram (0 ln 0 = 0) against the uniform mode distribution.";

    /// <summary>High-quality samples in total.</summary>
    public long HighQualityCount => HighQualityCountsPerMode.Sum();

    /// <summary>Scores samples given as a tensor [n, 2] (any device, any floating dtype; copied to the CPU).</summary>
    public static ModeCoverage Measure(Tensor samples, GaussianMixture2D mixture)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        return Measure(Points2D.FromTensor(samples, nameof(samples)), mixture);
    }

    /// <summary>Scores samples given as an array [n, 2].</summary>
    public static ModeCoverage Measure(float[,] samples, GaussianMixture2D mixture)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        return Measure(Points2D.FromArray(samples, nameof(samples)), mixture);
    }

    private static ModeCoverage Measure(float[] xy, GaussianMixture2D mixture)
    {
        int modes = mixture.ModeCount;
        long n = xy.Length / 2;
        var counts = new long[modes];
        double limitSquared = HighQualityRadiusInStd * mixture.Std * HighQualityRadiusInStd * mixture.Std;

        for (long i = 0; i < n; i++)
        {
            double x = xy[2 * i], y = xy[2 * i + 1];
            int nearest = -1;
            double best = double.PositiveInfinity;
            for (int k = 0; k < modes; k++)
            {
                double dx = x - mixture.Means[k].X, dy = y - mixture.Means[k].Y;
                double d2 = dx * dx + dy * dy;
                if (d2 < best) { best = d2; nearest = k; }
            }
            // NaN distances never compare smaller, so a non-finite sample keeps nearest = -1.
            if (nearest >= 0 && best < limitSquared) counts[nearest]++;
        }

        long highQuality = counts.Sum();
        int captured = counts.Count(c => c > 0);
        double? reverseKl = null;
        if (highQuality > 0)
        {
            double kl = 0;
            foreach (long c in counts)
            {
                if (c == 0) continue;
                double p = (double)c / highQuality;
                kl += p * Math.Log(p * modes);
            }
            reverseKl = Math.Max(0, kl); // rounding can leave -1e-17 for a balanced histogram
        }

        return new ModeCoverage(
            mixture.Name,
            captured,
            modes,
            n == 0 ? 0 : (double)highQuality / n,
            reverseKl,
            n,
            Array.AsReadOnly(counts),
            ProtocolDescription);
    }

    /// <summary>The values as JSON-friendly name/value pairs (camelCase names; numbers, strings, null and an array of counts), in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> ToJsonProperties() => new KeyValuePair<string, object?>[]
    {
        new("mixture", Mixture),
        new("modesCaptured", ModesCaptured),
        new("modesTotal", ModesTotal),
        new("highQualityFraction", HighQualityFraction),
        new("reverseKl", ReverseKl),
        new("sampleCount", SampleCount),
        new("highQualityCountsPerMode", HighQualityCountsPerMode.ToArray()),
        new("protocol", Protocol),
    };

    /// <summary>Writes the values as properties of the JSON object the writer is in (so a caller can embed them).</summary>
    public void WriteJsonProperties(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("mixture", Mixture);
        writer.WriteNumber("modesCaptured", ModesCaptured);
        writer.WriteNumber("modesTotal", ModesTotal);
        writer.WriteNumber("highQualityFraction", HighQualityFraction);
        if (ReverseKl is double kl) writer.WriteNumber("reverseKl", kl);
        else writer.WriteNull("reverseKl");
        writer.WriteNumber("sampleCount", SampleCount);
        writer.WriteStartArray("highQualityCountsPerMode");
        foreach (long c in HighQualityCountsPerMode) writer.WriteNumberValue(c);
        writer.WriteEndArray();
        writer.WriteString("protocol", Protocol);
    }

    /// <summary>The values as one JSON object.</summary>
    public string ToJson()
    {
        var buffer = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            WriteJsonProperties(writer);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public override string ToString() =>
        FormattableString.Invariant(
            $"{Mixture}: {ModesCaptured}/{ModesTotal} modes, {HighQualityFraction:P1} high quality, reverse KL {(ReverseKl is double kl ? kl.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "n/a")} ({SampleCount} samples)");
}
