"""Cold and warm load_mnist times.

Cold: the first load into an empty data folder (checksums, gunzip, idx parsing, writing the cache).
Warm: later loads, which read the .npy cache. Run from the repository root:

    python -m benchmarks.bench_load_mnist                      # Fashion-MNIST from Debian's package
    python -m benchmarks.bench_load_mnist --data-dir DIR --dataset mnist   # DIR holds the four .gz files
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    from mnist_utils import load_mnist
    from mnist_utils.datasets import get_dataset
except ImportError:
    sys.exit(
        "Cannot import mnist_utils: run from the repository root as python -m benchmarks.bench_load_mnist"
    )


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(dataset, source_dir, cold_runs, warm_runs, **flags):
    """Returns (cold times, warm times) in seconds, each load into a fresh temporary data folder."""
    cold, warm = [], []
    for _ in range(cold_runs):
        with tempfile.TemporaryDirectory() as root:
            if source_dir is not None:  # link the given files where load_mnist looks for them
                folder = Path(root) / get_dataset(dataset).name
                folder.mkdir()
                for f in get_dataset(dataset).files:
                    (folder / f.name).symlink_to(Path(source_dir).resolve() / f.name)

            def load(root=root):
                return load_mnist(**flags, dataset=dataset, data_dir=root, download=False)

            cold.append(timed(load))
            warm += [timed(load) for _ in range(warm_runs)]
    return cold, warm


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", choices=["mnist", "fashion"], default="fashion")
    parser.add_argument("--data-dir", help="folder with the four .gz files (default: Debian's Fashion-MNIST)")
    parser.add_argument("--cold", type=int, default=3, help="cold loads, each into a new empty folder")
    parser.add_argument("--warm", type=int, default=10, help="warm loads after each cold one")
    args = parser.parse_args(argv)
    if args.data_dir is None and args.dataset != "fashion":
        parser.error("--dataset mnist needs --data-dir")
    for flags in ({}, {"normalize": False}, {"flatten": False, "one_hot_label": True}):
        cold, warm = bench(args.dataset, args.data_dir, args.cold, args.warm, **flags)
        c, w = statistics.median(cold), statistics.median(warm)
        name = ", ".join(f"{k}={v}" for k, v in flags.items()) or "defaults"
        print(
            f"{args.dataset:8s} {name:36s} cold {c * 1000:7.0f} ms   warm {w * 1000:6.1f} ms "
            f"(max {max(warm) * 1000:5.1f})   cold/warm {c / w:5.1f}x"
        )


if __name__ == "__main__":
    main()
