using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Gan.Runtime.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`scalars`: whether an optimizer's step survives garbage collections that run during its native calls.
/// TorchSharp 0.107 passes each <c>double</c> operand of an in-place update as a temporary native Scalar that nothing
/// keeps alive, so a collection on another thread can let the finaliser free it mid-call (a long training run crashed
/// so once). Each cell runs in a child process — a crash ends the process — that steps one optimizer on a 2000 × 2000
/// parameter for --seconds while a second thread allocates and collects in a loop; the table says how long each
/// survived. <c>torch.optim</c>'s classes against the ones the generated code uses (<see cref="Optimizers"/>).</summary>
public static class ScalarLifetimeBench
{
    private static readonly string[] Kinds = { "sgd", "adam", "adamw", "rmsprop" };

    public static int Run(string[] args)
    {
        if (Arg(args, "--child") is string child) return Child(child, Arg(args, "--impl") ?? "gandsl", double.Parse(Arg(args, "--seconds") ?? "30", System.Globalization.CultureInfo.InvariantCulture));
        double seconds = IntArg(args, "--seconds", 30);
        string[] kinds = (Arg(args, "--optimizers") ?? string.Join(",", Kinds)).Split(',');
        var rows = new List<string>();
        foreach (string kind in kinds)
        {
            string theirs = Cell(kind, "torch", seconds), ours = Cell(kind, "gandsl", seconds);
            rows.Add($"| {kind} | {theirs} | {ours} |");
            Console.Error.WriteLine(rows[^1]);
        }
        var lines = new List<string>
        {
            Header("Optimizer steps under concurrent garbage collection", torchThreads: false) + $"; {F(seconds, "F0")} s per cell, one torch thread, a 2000 × 2000 parameter",
            "",
            "| optimizer | torch.optim (TorchSharp 0.107) | GanDsl (Gan.Runtime.Training.Optimizers) |",
            "|---|---|---|",
        };
        lines.AddRange(rows);
        lines.Add("");
        lines.Add("A crash is libtorch's `Expected false to be true … toFloat (c10/core/Scalar.h:140)`: the Scalar was freed during the call.");
        return Emit(lines, args);
    }

    private static string Cell(string kind, string impl, double seconds)
    {
        string self = typeof(ScalarLifetimeBench).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(self);
        foreach (string a in new[] { "scalars", "--child", kind, "--impl", impl, "--seconds", F(seconds, "R") }) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using Process p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (p.ExitCode == 0) return $"survived: {last}";
        bool scalar = stderr.Result.Contains("Scalar.h", StringComparison.Ordinal);
        return $"**crashed** after {F(wall, "F1")} s ({(last.Length > 0 ? last + " at its last report, " : "")}{(scalar ? "a freed Scalar" : "exit " + p.ExitCode)})";
    }

    private static int Child(string kind, string impl, double seconds)
    {
        torch.set_num_threads(1);
        torch.manual_seed(0);
        var p = new Parameter(randn(2000, 2000));
        Parameter[] ps = { p };
        optim.Optimizer o = (kind, impl) switch
        {
            ("sgd", "torch") => optim.SGD(ps, 0.01, momentum: 0.5),
            ("sgd", _) => Optimizers.Sgd(ps, 0.01, momentum: 0.5),
            ("adam", "torch") => optim.Adam(ps, 1e-4, 0.5, 0.999),
            ("adam", _) => Optimizers.Adam(ps, 1e-4, 0.5, 0.999),
            ("adamw", "torch") => optim.AdamW(ps, 1e-4, 0.5, 0.999, weight_decay: 0.01),
            ("adamw", _) => Optimizers.AdamW(ps, 1e-4, 0.5, 0.999, weight_decay: 0.01),
            ("rmsprop", "torch") => optim.RMSProp(ps, 1e-4, momentum: 0.5),
            ("rmsprop", _) => Optimizers.RmsProp(ps, 1e-4, momentum: 0.5),
            _ => throw new ArgumentException($"scalars: unknown optimizer '{kind}' (sgd, adam, adamw, rmsprop)"),
        };
        p.grad = randn(2000, 2000) * 1e-3;
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop)) { GC.KeepAlive(new byte[1 << 16]); GC.Collect(); GC.WaitForPendingFinalizers(); }
        }) { IsBackground = true };
        collector.Start();
        var clock = Stopwatch.StartNew();
        long steps = 0;
        double next = 1;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            o.step();
            steps++;
            if (clock.Elapsed.TotalSeconds >= next) { Console.WriteLine($"{steps:N0} steps"); next += 1; }
        }
        Volatile.Write(ref stop, true);
        Console.WriteLine($"{steps:N0} steps in {F(clock.Elapsed.TotalSeconds, "F0")} s");
        return 0;
    }
}
