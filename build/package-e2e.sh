#!/usr/bin/env bash
# The GanDsl package as a researcher meets it (issue 14), outside this repository: pack GanDsl and GanDsl.Templates into
# a local folder feed, `dotnet new gandsl` a project in WORK (default: a new temporary folder), declare a model that is
# not in the catalog (a least-squares game whose networks are called Painter and Judge), build it (the package's buildTransitive
# step applies the libstdc++ fix), train it through the one-line Program.cs, kill it after its first checkpoint, resume
# it, and leave its metrics.json beside an unbroken run's for the caller to compare (tests/GanDsl.Tests/Build/
# PackageEndToEndTests.cs: the same metrics, at least 7 of the ring's 8 modes). Needs the solution built in Release first (dotnet build GanDsl.sln -c Release): it packs
# with --no-build, so it never rewrites the build a test run is using. Prints "e2e: ok" at the end.
set -euo pipefail
trap 'echo "e2e: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
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
# exec: the background job is the training process itself, so that kill -9 reaches it (not a subshell around it).
( exec dotnet "bin/Release/net10.0/Painting.dll" "${common[@]}" > "$work/killed.log" 2>&1 ) &
pid=$!
while kill -0 $pid 2>/dev/null && [ ! -f runs/ls-painter/checkpoint.ckpt ]; do sleep 0.05; done
if kill -9 $pid 2>/dev/null; then echo "e2e: killed the run after its first checkpoint"; else echo "e2e: the run ended before it could be killed"; fi
wait $pid 2>/dev/null || true
if grep -q "wrote runs/ls-painter/metrics.json" "$work/killed.log"; then echo "e2e: the killed run got to its end" >&2; exit 1; fi
gan "${common[@]}" --resume | tee "$work/resumed.log"
gan "${common[@]}" --out runs/unbroken > "$work/unbroken.log"
test -f runs/ls-painter/samples.png
test -f runs/ls-painter/metrics.json
test -f runs/unbroken/metrics.json
grep -q '"model": "ls-painter"' runs/ls-painter/metrics.json
grep -qE '"start_step": [1-9][0-9]*,' runs/ls-painter/metrics.json   # it resumed from a checkpoint, not from step 0
# A second run without --out goes beside the first instead of over it.
gan train --data ring --steps 50 --tensorboard none --progress none --no-eval >/dev/null
test -f runs/ls-painter-2/metrics.json
echo "e2e: ok"
