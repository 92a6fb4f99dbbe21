#!/bin/bash
# The build cost of the generator benchmark's 20 models with this checkout's generator vs the generator of another commit,
# in CPU seconds of the C# compiler (user + sys of one csc process), interleaved. Run after
# `dotnet run -c Release --project tests/MotivationDsl.Benchmarks -- generator --quick` has built artifacts/genbench/.
# Usage: tests/MotivationDsl.Benchmarks/scripts/genbench-generator-ab.sh COMMIT [REPEATS]   (docs/performance.md, 6b)
# COMMIT's generator and runtime (src/MotivationDsl, which the generated code calls) are built from `git archive COMMIT`
# in a temporary directory; both compile the same project, each generator against its own runtime, so the difference is
# what the generated code (and the generator) cost:
#   with / with-old                 20 models, this generator / COMMIT's
#   without                         no models (the fixed cost)
#   ...-noana                       the same without the SDK's default NetAnalyzers
set -euo pipefail
old_commit=${1:?usage: $0 COMMIT [REPEATS]}
reps=${2:-3}
source "$(dirname "$0")/genbench-common.sh"
genbench_work genbench-ab
mkdir "$work/old"
git -C "$root" archive "$old_commit" | tar -x -C "$work/old"
dotnet build "$work/old/generators/MotivationDsl.Generators" -c Release -v q -nologo >/dev/null
dotnet build "$work/old/src/MotivationDsl" -c Release -v q -nologo >/dev/null
old=/analyzer:$work/old/generators/MotivationDsl.Generators/bin/Release/netstandard2.0/MotivationDsl.Generators.dll
old_runtime=/reference:$work/old/src/MotivationDsl/bin/Release/net10.0/MotivationDsl.dll
for n in with without; do csc_rsp $n; done
gen=$(grep -o '/analyzer:[^ ]*MotivationDsl.Generators.dll' "$work/with.rsp")
noana='s#/analyzer:[^ ]*NetAnalyzers.dll##g'
runtime=$(grep -o '/reference:[^ ]*/MotivationDsl\.dll' "$work/with.rsp")
sed "s#$gen#$old#; s#$runtime#$old_runtime#" "$work/with.rsp" > "$work/with-old.rsp"
for v in with with-old without; do sed "$noana" "$work/$v.rsp" > "$work/$v-noana.rsp"; done
for v in with with-old; do
  mkdir "$work/gen-$v"
  (cd "$G/with" && "$csc" @"$work/$v.rsp" /generatedfilesout:"$work/gen-$v" > "$work/$v.out") || { cat "$work/$v.out" >&2; exit 1; }
  echo "generated C# ($v): $(find "$work/gen-$v" -name '*.g.cs' | sort | xargs cat | wc -l) lines in $(find "$work/gen-$v" -name '*.g.cs' | wc -l) files"
done
variants="with with-old without with-noana with-old-noana without-noana"
echo "csc CPU seconds (user+sys), $reps interleaved repeats; load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A all
for r in $(seq "$reps"); do
  for v in $variants; do
    case $v in without*) d=$G/without ;; *) d=$G/with ;; esac
    all[$v]="${all[$v]:-} $(csc_cpu "$d" "$work/$v.rsp")"
  done
done
for v in $variants; do
  printf "%-16s median %5.2f  (runs: %s)\n" "$v" "$(median ${all[$v]})" "$(echo ${all[$v]})"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
