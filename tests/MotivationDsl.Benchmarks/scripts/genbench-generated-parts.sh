#!/bin/bash
# Which part of the generated code the compile cost of the generator benchmark's 20 models goes to, in CPU seconds of
# the C# compiler (user + sys of one csc process), interleaved. Run after
# `dotnet run -c Release --project tests/MotivationDsl.Benchmarks -- generator --quick` has built artifacts/genbench/.
# Usage: tests/MotivationDsl.Benchmarks/scripts/genbench-generated-parts.sh [REPEATS]   (docs/performance.md, 6b)
# The with project's generated files (written by one csc run with the generator) are compiled as plain sources, without
# the generator and without the SDK's NetAnalyzers; each variant removes or stubs one kind of generated code:
#   with / with-nogen       the with project as built (generator + analyzers) / its generated files as plain sources
#   full                    all generated files as plain sources, no generator, no analyzers (the reference)
#   none                    no generated file and no model source (the fixed cost of the project)
#   map-short               Map: the manifest constant (__Manifest) replaced by "{}"
#   lists-null              Metadata: each layer list's chain of LayerList calls replaced by `null!`
#   model-lambdas-null      Model: the variants table's factory lambdas `o => new X(o)` replaced by `null!`
# A variant's saving against `full` is what that part costs to compile; `full` minus `none` is all generated code.
set -euo pipefail
reps=${1:-3}
source "$(dirname "$0")/genbench-common.sh"
genbench_work genbench-parts
csc_rsp with
gen=$(grep -o '/analyzer:[^ ]*MotivationDsl.Generators.dll' "$work/with.rsp")
mkdir "$work/gen"
(cd "$G/with" && "$csc" @"$work/with.rsp" /generatedfilesout:"$work/gen" > "$work/gen.out") || { cat "$work/gen.out" >&2; exit 1; }
src="$work/src-full"
mkdir "$src"
find "$work/gen" -name '*.g.cs' -exec cp {} "$src/" \;
echo "generated C#: $(cat "$src"/*.g.cs | wc -l) lines in $(ls "$src" | wc -l) files;" \
  "Model $(cat "$src"/*.Model.g.cs | wc -l), Variants $(cat "$src"/*.Variants.g.cs | wc -l)," \
  "Map $(cat "$src"/*.Map.g.cs | wc -l), Metadata $(cat "$src"/*.Metadata.g.cs | wc -l) lines"
# variant NAME FILE-GLOB PERL-SUBSTITUTION: a copy of the generated files with the substitution applied to FILE-GLOB,
# failing if it changes nothing (the emitter's shape moved: the variant would silently measure the full set)
variant() {
  local name=$1 glob=$2 expr=$3 d="$work/src-$1"
  cp -r "$src" "$d"
  perl -0pi -e "$expr" "$d"/$glob
  if diff -rq "$src" "$d" >/dev/null; then echo "error: variant $name changed no file" >&2; exit 1; fi
}
variant map-short '*.Map.g.cs' 's/__Manifest = @"(?:[^"]|"")*";/__Manifest = "{}";/g'
variant lists-null '*.Metadata.g.cs' 's/(=>?)\s*\n\s*(?:new __Dsl\.LayerList\(|__Dsl\.LayerList\.ForTokens\().*?;\n/$1 null!;\n/sg'
variant model-lambdas-null '*.Model.g.cs' 's/\bo => new \w+\(o\)/null!/g'
# the rsp without generator, analyzers and model sources, plus a directory's generated files
base=$(tr ' ' '\n' < "$work/with.rsp" | grep -v -e "^$gen\$" -e '^/analyzer:.*NetAnalyzers\.dll$' -e '^Net[0-9][0-9]\.cs$' \
  -e '^/embed:Net[0-9][0-9]\.cs$' | tr '\n' ' ')
echo "$base" > "$work/none.rsp"
for d in "$work"/src-*; do
  v=${d##*/src-}
  echo "$base $(tr ' ' '\n' < "$work/with.rsp" | grep -e '^Net[0-9][0-9]\.cs$' | tr '\n' ' ') $(ls "$d"/*.g.cs | tr '\n' ' ')" > "$work/$v.rsp"
done
sed "s#$gen##" "$work/with.rsp" | sed "s#\$# $(ls "$src"/*.g.cs | tr '\n' ' ')#" > "$work/with-nogen.rsp"
variants="with with-nogen full none map-short lists-null model-lambdas-null"
echo "csc CPU seconds (user+sys), $reps interleaved repeats; load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A all
for r in $(seq "$reps"); do
  for v in $variants; do
    t=$(csc_cpu "$G/with" "$work/$v.rsp") ||
      { echo "error: variant $v does not compile:" >&2; grep -m5 'error' "$work/$v.rsp.out" >&2; exit 1; }
    all[$v]="${all[$v]:-} $t"
  done
done
med() { median ${all[$1]}; }
full=$(med full)
for v in $variants; do
  runs=$(echo ${all[$v]} | tr ' ' '\n' | sort -n | tr '\n' ' ')
  printf "%-24s median %5.2f  vs full %+5.2f  (runs: %s)\n" "$v" "$(med "$v")" "$(echo "$(med "$v") - $full" | bc)" "$runs"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
