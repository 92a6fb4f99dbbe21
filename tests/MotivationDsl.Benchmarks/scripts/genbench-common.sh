# Shared by the genbench-*.sh scripts (sourced, not run): the generator benchmark's projects, their csc command lines
# taken from a binlog, CPU seconds of one csc run, and the medians table.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
G=$root/artifacts/genbench

# genbench_work PREFIX: a temporary work folder ($work), removed on exit.
genbench_work() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  trap 'rm -rf "$work"' EXIT
}

# csc_rsp NAME: builds artifacts/genbench/NAME once with a binlog and writes its csc arguments to $work/NAME.rsp
# (output paths into $work); sets $csc to the compiler.
csc_rsp() {
  [ -d "$G/$1" ] || { echo "error: $G/$1 does not exist; run the generator benchmark first" >&2; exit 2; }
  (cd "$G/$1" && dotnet build -c Release -v q -nologo --no-restore --no-dependencies --no-incremental -bl:"$work/$1.binlog" >/dev/null)
  dotnet msbuild "$work/$1.binlog" -noconlog -flp:"v=diag;logfile=$work/$1.diag" >/dev/null
  local line
  line=$(grep -m1 '/Roslyn/bincore/csc /noconfig' "$work/$1.diag" | sed 's/^ *//; s/ (TaskId:[0-9]*)$//')
  csc=${line%% *}
  echo "${line#* }" | sed "s#/out:[^ ]*#/out:$work/$1.dll#; s#/refout:[^ ]*#/refout:$work/ref-$1.dll#" > "$work/$1.rsp"
}

# csc_cpu DIR RSP [VAR=VALUE ...]: user + sys CPU seconds of one csc run of RSP in DIR (its output in RSP.out);
# fails when csc fails.
csc_cpu() {
  local d=$1 rsp=$2 t; shift 2
  t=$( { cd "$d" && env "$@" /usr/bin/time -f '%U %S' "$csc" @"$rsp" > "$rsp.out"; } 2>&1 | tail -1 ) || return 1
  echo "$t" | awk '{print $1 + $2}'
}

# median RUNS...: the median of the numbers given.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
