#!/bin/bash
# Where the build time of the generator benchmark's 20 models goes, in CPU seconds of the C# compiler (user + sys of one
# csc process, which is much less sensitive to machine load than wall time). Run after
# `dotnet run -c Release --project tests/MotivationDsl.Benchmarks -- generator --quick` has built artifacts/genbench/.
# Usage: tests/MotivationDsl.Benchmarks/scripts/genbench-csc-breakdown.sh [REPEATS]   (docs/performance.md, section 6b)
# REPEATS=0 skips the timed runs and prints only the JIT counts, the perf profile (when perf is installed) and the report.
# Each project's csc command line is taken from a binlog of its build; variants of it then run interleaved:
#   with / without            the two projects as built (20 models + generator / generator, no models)
#   with-k1, with-k5          the with project with only Net00 (Net00..Net04): fixed vs per-model cost
#   with-nogen                no generator; the generated files (written by a first run) compiled as plain sources
#   with-noana, with-nogen-noana, without-noana   the same without the SDK's default NetAnalyzers
#   with-noca2252             the SDK's analyzers, CA2252 alone off (a global analyzer config; Roslyn then skips it)
#   with-r2r, without-r2r     the generator ReadyToRun-compiled (crossgen2 of the runtime csc runs on; IL kept), i.e.
#                             the generator's own JIT removed; plus the count of JIT-compiled methods of with / with-r2r
#   with-nopgo, without-nopgo the compiler run with DOTNET_TieredPGO=0 (what <CscEnvironment> could set for a fresh csc)
# VARIANTS="with with-nopgo ..." runs only those.
set -euo pipefail
reps=${1:-3}
source "$(dirname "$0")/genbench-common.sh"
genbench_work genbench-csc
for n in with without; do csc_rsp $n; done
gen=$(grep -o '/analyzer:[^ ]*MotivationDsl.Generators.dll' "$work/with.rsp")
noana='s#/analyzer:[^ ]*NetAnalyzers.dll##g'
mkdir -p "$work/gen"
(cd "$G/with" && "$csc" @"$work/with.rsp" /generatedfilesout:"$work/gen" /reportanalyzer > "$work/report.txt") ||
  { cat "$work/report.txt" >&2; exit 1; }
generated=$(find "$work/gen" -name '*.g.cs' | sort | tr '\n' ' ')
sed "s#$gen##" "$work/with.rsp" | sed "s#\$# $generated#" > "$work/with-nogen.rsp"
sed "$noana" "$work/with.rsp" > "$work/with-noana.rsp"
sed "$noana" "$work/without.rsp" > "$work/without-noana.rsp"
sed "$noana" "$work/with-nogen.rsp" > "$work/with-nogen-noana.rsp"
printf 'is_global = true\ndotnet_diagnostic.CA2252.severity = none\n' > "$work/noca2252.globalconfig"
sed "s#\$# /analyzerconfig:$work/noca2252.globalconfig#" "$work/with.rsp" > "$work/with-noca2252.rsp"
# The generator ReadyToRun-compiled against the runtime the compiler runs on: crossgen2 comes from the NuGet package of
# that runtime version (restored into the NuGet cache by a throwaway project the first time).
sdk=$(cd "$(dirname "$csc")/../.." && pwd)
fx=$(sed -n 's#.*<BundledNETCoreAppPackageVersion>\(.*\)</BundledNETCoreAppPackageVersion>.*#\1#p' "$sdk/Microsoft.NETCoreSdk.BundledVersions.props")
rid=$(sed -n 's#.*<NETCoreSdkRuntimeIdentifier>\(.*\)</NETCoreSdkRuntimeIdentifier>.*#\1#p' "$sdk/Microsoft.NETCoreSdk.BundledVersions.props")
nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}
cg=$nuget/microsoft.netcore.app.crossgen2.$rid/$fx/tools/crossgen2
if [ ! -x "$cg" ]; then
  mkdir -p "$work/cg"
  printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup><ItemGroup><PackageDownload Include="Microsoft.NETCore.App.Crossgen2.%s" Version="[%s]" /></ItemGroup></Project>' "$rid" "$fx" > "$work/cg/cg.csproj"
  (cd "$work/cg" && dotnet restore -v q >/dev/null)
fi
genil=${gen#/analyzer:}
roslyn=$(dirname "$csc")
mkdir -p "$work/r2r"
"$cg" "$genil" -o "$work/r2r/MotivationDsl.Generators.dll" -O -r "$(cd "$sdk/../.." && pwd)/shared/Microsoft.NETCore.App/$fx/*.dll" \
  -r "$roslyn/Microsoft.CodeAnalysis.dll" -r "$roslyn/Microsoft.CodeAnalysis.CSharp.dll" >/dev/null
for n in with without; do sed "s#$gen#/analyzer:$work/r2r/MotivationDsl.Generators.dll#" "$work/$n.rsp" > "$work/$n-r2r.rsp"; done
for k in 1 5; do
  keep=" $(for i in $(seq 0 $((k - 1))); do printf 'Net%02d.cs ' "$i"; done)"
  tr ' ' '\n' < "$work/with.rsp" | while read -r t; do
    f=${t#/embed:}
    if [[ $f =~ ^Net[0-9][0-9]\.cs$ && $keep != *" $f "* ]]; then continue; fi
    printf '%s ' "$t"
  done > "$work/with-k$k.rsp"
done
variants=${VARIANTS:-"with without with-k1 with-k5 with-nogen with-noana without-noana with-nogen-noana with-noca2252 with-r2r without-r2r with-nopgo without-nopgo"}
echo "csc CPU seconds (user+sys), $reps interleaved repeats; load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A all
for r in $(seq 1 "$reps"); do
  for v in $variants; do
    case $v in without*) d=$G/without ;; *) d=$G/with ;; esac
    case $v in *-nopgo) rsp=$work/${v%-nopgo}.rsp; envs=(DOTNET_TieredPGO=0) ;; *) rsp=$work/$v.rsp; envs=() ;; esac
    all[$v]="${all[$v]:-} $(csc_cpu "$d" "$rsp" "${envs[@]}")"
  done
done
for v in $variants; do
  [ "$reps" -gt 0 ] || break
  printf "%-18s median %5.2f  (runs: %s)\n" "$v" "$(median ${all[$v]})" "$(echo ${all[$v]})"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "methods JIT-compiled by csc (DOTNET_JitStdOutFile; 'generator' = naming a MotivationDsl.Generators type):"
for v in with with-r2r without; do
  case $v in without*) d=$G/without ;; *) d=$G/with ;; esac
  (cd "$d" && DOTNET_JitStdOutFile="$work/jit-$v.txt" DOTNET_JitDisasmSummary=1 "$csc" @"$work/$v.rsp" >/dev/null)
  printf '  %-9s %6d methods, %5d of them generator\n' "$v" "$(wc -l < "$work/jit-$v.txt")" "$(grep -c 'MotivationDsl\.Generators' "$work/jit-$v.txt")"
done
if command -v perf >/dev/null; then
  # Where csc's CPU goes, by binary: the R2R generator's own code shows as MotivationDsl.Generators.dll.
  (cd "$G/with" && perf record -q -e cpu-clock -F 999 -o "$work/perf.data" "$csc" @"$work/with-r2r.rsp" >/dev/null 2>&1)
  echo "perf profile of csc with-r2r (share of its CPU samples by binary; JIT-compiled code is memfd:doublemapper):"
  perf report -i "$work/perf.data" --stdio --sort dso 2>/dev/null | grep -E '%' | head -8 | sed 's/^ */  /'
  perf report -i "$work/perf.data" --stdio --sort dso 2>/dev/null | grep -E 'MotivationDsl.Generators.dll' | sed 's/^ */  /'
fi
echo "csc /reportanalyzer of the with project (seconds inside one csc run; analyzers run concurrently with each other):"
grep -E 'Total (analyzer|generator) execution time|MotivationDsl.Generators.ScalableModelGenerator|\(CA2252\)|\(CA1856, CA1857\)' \
  "$work/report.txt" | sed 's/^ */  /'

echo "csc /reportanalyzer of with-noca2252 (where the analyzers' time goes with CA2252 off):"
(cd "$G/with" && "$csc" @"$work/with-noca2252.rsp" /reportanalyzer) | sed -n '/Total analyzer execution time/,/Total generator/p' |
  grep -E 'Total analyzer|^ +[0-9.]+ +[0-9<]+ +Microsoft\.(NetCore|CodeQuality)' | head -5 | sed 's/^ */  /'
