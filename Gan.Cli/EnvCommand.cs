using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Gan.Runtime;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary><c>gan env</c>: what this process would train with — the TorchSharp build, CUDA, the CPU threads, mixed precision and which
/// kernels float32 CPU convolutions use (<see cref="CpuConvolutions"/>) — and, with <c>--check MODEL</c>, the check
/// a CPU training run makes on that model's convolutions before its first step.</summary>
public static class EnvCommand
{
    public static int Run(string? checkModel, TextWriter output)
    {
        string torchSharp = typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                            ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?";
        output.WriteLine($"TorchSharp:        {torchSharp}");
        output.WriteLine($"CUDA:              {(cuda.is_available() ? $"available ({cuda.device_count()} device(s)); --device auto uses it" : "not available; --device auto uses the CPU")}");
        output.WriteLine($"CPU threads:       {get_num_threads()}");
        output.WriteLine($"Mixed precision:   {(MixedPrecision.Available ? "bf16 autocast available" : $"not available ({MixedPrecision.Unavailable})")}; " +
                         $"bfloat16 instructions on this CPU: {(MixedPrecision.Bf16IsFast(CPU) ? "yes" : "none (emulated, slower than fp32)")}; " +
                         $"--precision auto trains in {MixedPrecision.Name(MixedPrecision.Resolve("auto", Devices.Default))} on {Devices.Default.type}");
        if (checkModel is not null)
        {
            // The catalog's models, or the feature classifier FID and the DANN digits' evaluation use.
            bool classifier = string.Equals(checkModel, "classifier", StringComparison.OrdinalIgnoreCase);
            using nn.Module owner = classifier ? new Gan.Runtime.Metrics.FeatureClassifier() : (nn.Module)ModelRegistry.Find(checkModel).Create(CPU);
            var networks = owner is IAdversarialModel model ? model.Players.Select(model.Network).ToList() : new System.Collections.Generic.List<nn.Module> { owner };
            int layers = networks.Sum(n => n.modules().Count(m => m is TorchSharp.Modules.Convolution));
            bool willCheck = CpuConvolutions.Mode != "onednn" && CpuConvolutions.OneDnnEnabled == true;
            string? line = CpuConvolutions.Check(networks);
            output.WriteLine(line ?? (willCheck
                ? $"CPU convolutions:  {checkModel}: {layers} convolution layer(s), each agrees with float64 with oneDNN"
                : $"CPU convolutions:  {checkModel}: {layers} convolution layer(s), not checked ({(CpuConvolutions.Mode == "onednn" ? $"{CpuConvolutions.EnvironmentVariable}=onednn" : "oneDNN is off")})"));
        }
        output.WriteLine($"CPU convolutions:  {CpuConvolutions.Status}");
        output.WriteLine($"oneDNN:            {CpuConvolutions.OneDnnEnabled switch { true => "on", false => "off", null => "unknown" }} ({CpuConvolutions.EnvironmentVariable}={Environment.GetEnvironmentVariable(CpuConvolutions.EnvironmentVariable) ?? "(unset: auto)"})");
        return 0;
    }
}
