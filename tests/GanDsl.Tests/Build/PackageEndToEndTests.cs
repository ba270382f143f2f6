using System;
using System.IO;
using System.Text.Json;
using GanDsl.Build;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Build;

/// <summary>The package as a researcher meets it, outside the solution (build/package-e2e.sh): GanDsl and the template packed
/// into a folder feed, `dotnet new gandsl`, a model of the user's own with the user's names for its networks, built with the
/// package's libstdc++ fix, trained through the one-line Program.cs, killed after its first checkpoint and resumed to the
/// unbroken run's metrics, a second run beside the first.</summary>
public class PackageEndToEndTests
{
    [Fact]
    public void A_new_project_from_the_template_builds_trains_and_resumes_with_the_package()
    {
        string repo = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "gandsl-e2e-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = ChildProcess.Run("bash", new[] { Path.Combine(repo, "build", "package-e2e.sh"), work }, timeout: TimeSpan.FromMinutes(15));
            string all = output + "\n" + error;
            code.ShouldBe(0, all);
            output.ShouldContain("e2e: ok", customMessage: all);
            output.ShouldContain("ls-painter               ring           A least-squares game between a Painter and a Judge");   // gan list: the user's model only
            output.ShouldContain("e2e: killed the run after its first checkpoint", customMessage: all);
            string runs = Path.Combine(work, "Painting", "runs");
            using var resumed = JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "ls-painter", "metrics.json")));
            using var unbroken = JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "unbroken", "metrics.json")));
            JsonElement m = resumed.RootElement, u = unbroken.RootElement;
            m.GetProperty("model").GetString().ShouldBe("ls-painter");
            m.GetProperty("steps").GetInt32().ShouldBe(1500);
            m.GetProperty("start_step").GetInt32().ShouldBeInRange(1, 1499);   // killed after a checkpoint, resumed from it
            u.GetProperty("start_step").GetInt32().ShouldBe(0);
            foreach (string key in new[] { "final_losses", "modes_captured", "high_quality_fraction", "reverse_kl" })
                m.GetProperty(key).GetRawText().ShouldBe(u.GetProperty(key).GetRawText(), $"resumed and unbroken runs differ in {key}");
            m.GetProperty("modes_captured").GetInt32().ShouldBeGreaterThanOrEqualTo(7);   // 8/8 measured (54 % high quality)
            m.GetProperty("run").GetProperty("lib_torch").GetString().ShouldBe("libtorch-cpu-linux-x64 2.10.0");   // the user's choice, recorded
            const string systemLib = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
            if (File.Exists(systemLib) && !ElfVersionPatch.LibraryMentionsVersion(systemLib, "GLIBCXX_3.4.32"))
                output.ShouldContain("libLibTorchSharp.so: GLIBCXX_3.4.32 marked weak (system libstdc++ lacks it)", customMessage: all);   // the package's buildTransitive step
            File.Exists(Path.Combine(work, "Painting", "runs", "ls-painter", "samples.png")).ShouldBeTrue();
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GanDsl.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no GanDsl.sln above {AppContext.BaseDirectory}");
    }
}
