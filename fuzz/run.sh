#!/usr/bin/env bash
# Coverage-guided fuzzing of Cordon's boundary parsers with libFuzzer, on the stable toolchain
# (no cargo-fuzz or nightly needed). Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# Corpora go to fuzz/corpus/TARGET, crashes to fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(identity plate phone division checkpoint_code registration policy)
triple="$(rustc -vV | sed -n 's/^host: //p')"
RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing" \
  cargo build --release --bins --target "$triple" --target-dir target/cov
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t for ${seconds}s"
  "target/cov/$triple/release/$t" "corpus/$t" -max_total_time="$seconds" -artifact_prefix="artifacts/$t/" 2>&1 \
    | grep -E "DONE|ERROR|panicked|SUMMARY" || true
done
