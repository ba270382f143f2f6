#!/usr/bin/env bash
# The GanDsl package as a researcher meets it (issue 14), outside this repository: pack GanDsl and GanDsl.Templates into
# a local folder feed, `dotnet new gandsl` a project in WORK (default: a new temporary folder), declare a model that is
# not in the catalog (a least-squares game whose networks are called Painter and Judge), build it (the package's buildTransitive
# step applies the libstdc++ fix), train it through the one-line Program.cs, kill it after its first checkpoint, resume
# it, and check its metrics.json (equal to the unbroken run's, at least 7 of the ring's 8 modes) and pictures. Needs the solution built in Release first (dotnet build GanDsl.sln -c Release): it packs
# with --no-build, so it never rewrites the build a test run is using. Prints "e2e: ok" at the end.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
feed=$work/feed hive=$work/template-hive app=$work/Painting
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
version=$(sed -nE 's|.*<Version>([^<]+)</Version>.*|\1|p' "$repo/Directory.Build.props" | head -1)
echo "e2e: GanDsl $version, work folder $work"

dotnet pack "$repo/packaging/GanDsl/GanDsl.csproj" -c Release --no-build -o "$feed" -v quiet -nologo
dotnet pack "$repo/templates/GanDsl.Templates/GanDsl.Templates.csproj" -c Release --no-build -o "$feed" -v quiet -nologo
# A package of this version extracted earlier (an older build of it) must not stand in for the one just packed.
packages=$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')
rm -rf "$packages/gandsl/$version"

dotnet new install "$feed/GanDsl.Templates.$version.nupkg" --debug:custom-hive "$hive" >/dev/null
dotnet new gandsl -o "$app" --GanDslVersion "$version" --debug:custom-hive "$hive"
cd "$app"
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="gandsl-e2e" value="$feed" />
  </packageSources>
</configuration>
XML
# A model of the user's own, with the user's names for its networks.
rm MyGan.cs
cat > LsPainter.cs <<'CS'
using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace Painting;

[Gan(Name = "ls-painter", Description = "A least-squares game between a Painter and a Judge")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("1/2 E[(Judge(x) - 1)^2] + 1/2 E[Judge(Painter(z))^2]", "1/2 E[(Judge(Painter(z)) - 1)^2]")]
public partial class LsPainter
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> Painter() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> Judge() => Nets.Mlp(2, 128, 128, 1);
}
CS
dotnet build -c Release -nologo 2>&1 | tee "$work/build.log" | grep -E "GanDsl:|warning|error|Build succeeded" || true
grep -q "Build succeeded" "$work/build.log" || { echo "e2e: the project did not build" >&2; exit 1; }
grep -qE " 0 Warning\(s\)" "$work/build.log" || { echo "e2e: the project built with warnings" >&2; exit 1; }
test -f obj/generated/Gan.Dsl.Generator/Gan.Dsl.Generator.GanGenerator/Painting.LsPainter.g.cs

gan() { dotnet "bin/Release/net10.0/Painting.dll" "$@"; }
gan list
common=(train --data ring --steps 1500 --tensorboard none --progress plain --log-every 500 --checkpoint-every 250 --threads 1)
# The run killed after its first checkpoint, then resumed; beside it the same run unbroken.
gan "${common[@]}" > "$work/killed.log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null && [ ! -f runs/ls-painter/checkpoint.ckpt ]; do sleep 0.05; done
kill -9 $pid 2>/dev/null && echo "e2e: killed the run after its first checkpoint" || echo "e2e: the run ended before it could be killed"
wait $pid 2>/dev/null || true
gan "${common[@]}" --resume | tee "$work/resumed.log"
gan "${common[@]}" --out runs/unbroken > "$work/unbroken.log"
test -f runs/ls-painter/samples.png
python3 - runs/ls-painter/metrics.json runs/unbroken/metrics.json <<'PY'
import json, sys
m, u = (json.load(open(p)) for p in sys.argv[1:3])
assert m["model"] == "ls-painter", m["model"]
assert m["steps"] == 1500 and 0 < m["start_step"] < 1500, (m["steps"], m["start_step"])
for key in ("final_losses", "modes_captured", "high_quality_fraction", "reverse_kl"):
    assert m[key] == u[key], f"resumed {key} {m[key]} != unbroken {u[key]}"
assert m["modes_total"] == 8 and m["modes_captured"] >= 7, m["modes_captured"]
print(f"e2e: resumed at step {m['start_step']}: {m['modes_captured']}/8 modes, {100 * m['high_quality_fraction']:.1f} % high quality, the same as the unbroken run")
PY
# A second run without --out goes beside the first instead of over it.
gan train --data ring --steps 50 --tensorboard none --progress none --no-eval >/dev/null
test -f runs/ls-painter-2/metrics.json
echo "e2e: ok"
