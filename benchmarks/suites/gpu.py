"""GPU evidence in one command: each Learn2Mix fit beside the plain fit, same device.

    python -m benchmarks gpu                 # on a GPU: the sizes of the issue, ~5 minutes
    python -m benchmarks gpu --device cpu    # the dry run: the same code on CPU, small sizes

Measured side by side in one run, each Learn2Mix fit against the plain fit of the
same inner model on the same device:

* XGBoost (``device=...``): time and device-memory ratio on synthetic
  1,000,000 x 50 rows, 10 classes, 100 trees; whether the mixture moved; the
  bytes the library moves between host and device per round, from the sizes of
  what it reads and writes (the held-out rows' margins come back, one weight
  vector goes down);
* skorch (``device=...``): an MLP on Fashion-MNIST (MNIST-1D when the Debian
  package is absent), both mixing modes, time ratio and test accuracy, paired
  seeds;
* LightGBM and CatBoost GPU builds: a short fit on the device, or the line that
  says the installed wheel does not support it.

The device, driver and library versions head the output. On a GPU the results
go to ``benchmarks/RESULTS.md`` (section "GPU"); ``--out DIR`` also writes
``gpu.json`` there. The dry run writes nothing to RESULTS.md (CPU figures never
stand in for GPU ones).
"""

from __future__ import annotations

import json
import platform
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

from ..common import OUT_OPTION, suite_parser
from ..report import write_section

RESULTS = Path(__file__).parents[1] / "RESULTS.md"

#: the sizes of each run; "cpu" is the dry run that proves the script before a GPU comes
SIZES = {
    "cuda": dict(rows=1_000_000, features=50, classes=10, trees=100, epochs=8, seeds=3,
                 net_rows=None),
    "cpu": dict(rows=6_000, features=20, classes=10, trees=10, epochs=2, seeds=1,
                net_rows=3_000),
}  # fmt: skip


def _version(name: str) -> str:
    try:
        return __import__(name).__version__
    except ImportError:
        return "not installed"


def header(device: str) -> dict:
    """The device, its driver and the library versions."""
    info = {"device": device, "python": platform.python_version()}
    for name in ("sklearn_l2m", "xgboost", "torch", "skorch", "lightgbm", "catboost", "sklearn"):
        info[name] = _version(name)
    if device == "cuda":
        import torch

        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
        info["torch cuda"] = str(torch.version.cuda)
        info["driver"] = _nvidia_smi("driver_version") or "unknown"
    else:
        info["gpu"] = f"none (CPU dry run: {platform.machine()})"
    return info


def _nvidia_smi(field: str) -> str | None:
    try:
        out = subprocess.run(
            ["nvidia-smi", f"--query-gpu={field}", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else None


class DeviceMemory:
    """Peak device memory used during a block, above what was used before it (MB),
    sampled from nvidia-smi every 50 ms; None on CPU or without nvidia-smi."""

    def __init__(self, device: str):
        self.device = device
        self.peak = None

    def _used(self) -> float | None:
        value = _nvidia_smi("memory.used")
        return None if value is None else float(value)

    def __enter__(self):
        self.base = self._used() if self.device == "cuda" else None
        self.samples, self.running = [], self.base is not None
        if self.running:
            self.thread = threading.Thread(target=self._sample, daemon=True)
            self.thread.start()
        return self

    def _sample(self):
        while self.running:
            value = self._used()
            if value is not None:
                self.samples.append(value)
            time.sleep(0.05)

    def __exit__(self, *exc):
        if self.base is None:
            return False
        self.running = False
        self.thread.join()
        self.peak = max([*self.samples, self.base]) - self.base
        return False


def _timed(device, fit):
    with DeviceMemory(device) as memory:
        began = time.perf_counter()
        model = fit()
        seconds = time.perf_counter() - began
    return model, seconds, memory.peak


def _ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b


def xgboost_pair(device: str, size: dict) -> dict:
    """Plain XGBoost and Learn2Mix over it, same device, same data."""
    import xgboost
    from sklearn.datasets import make_classification

    from sklearn_l2m import Learn2MixClassifier

    X, y = make_classification(
        n_samples=size["rows"], n_features=size["features"], n_informative=size["features"] // 2,
        n_classes=size["classes"], weights=np.geomspace(1, 0.05, size["classes"]),
        random_state=0,
    )  # fmt: skip
    X = X.astype(np.float32)
    params = dict(n_estimators=size["trees"], max_depth=6, tree_method="hist", device=device)
    _, plain_s, plain_mb = _timed(device, lambda: xgboost.XGBClassifier(**params).fit(X, y))
    model, mixed_s, mixed_mb = _timed(
        device,
        lambda: Learn2MixClassifier(xgboost.XGBClassifier(**params), random_state=0).fit(X, y),
    )
    n_val = int(round(0.1 * size["rows"]))
    moved = float(np.max(np.abs(model.mixture_ - model.natural_mixture_)))
    return {
        "rows": size["rows"],
        "features": size["features"],
        "trees": size["trees"],
        "rounds": model.n_rounds_,
        "plain_s": plain_s,
        "learn2mix_s": mixed_s,
        "time_ratio": mixed_s / plain_s,
        "plain_device_mb": plain_mb,
        "learn2mix_device_mb": mixed_mb,
        "memory_ratio": _ratio(mixed_mb, plain_mb),
        "mixture_moved": moved,
        # per round: the held-out rows' margins come to the host (float32), one
        # float32 weight per training row goes to the device
        "bytes_to_host_per_round": n_val * size["classes"] * 4,
        "bytes_to_device_per_round": size["rows"] * 4,
        "device_of_booster": str(model.estimator_.get_params()["device"]),
    }


def _net_data(size: dict):
    from sklearn_l2m.datasets import DataSourceMissing, load_fashion_mnist, load_mnist1d

    try:
        data, name = load_fashion_mnist(), "Fashion-MNIST"
    except DataSourceMissing:
        data, name = load_mnist1d(), "MNIST-1D"
    X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
    if size["net_rows"] is not None:
        X, y = X[: size["net_rows"]], y[: size["net_rows"]]
    return (
        name,
        X.reshape(len(X), -1).astype(np.float32),
        y,
        X_test.reshape(len(X_test), -1),
        y_test,
    )


def skorch_pairs(device: str, size: dict) -> dict:
    """A plain MLP and Learn2Mix over it in both mixing modes, paired by seed."""
    import torch

    from sklearn_l2m import Learn2MixClassifier

    from ..nets import mlp_classifier

    name, X, y, X_test, y_test = _net_data(size)
    X_test = X_test.astype(np.float32)

    def net():
        return mlp_classifier(
            X.shape[1], int(y.max()) + 1, epochs=size["epochs"], batch_size=256, device=device
        )

    rows = {"data": name, "rows": len(y), "epochs": size["epochs"], "seeds": size["seeds"]}
    # warm-up: the first fit on a device pays for CUDA / kernel initialisation
    mlp_classifier(X.shape[1], int(y.max()) + 1, epochs=1, device=device).fit(X[:512], y[:512])
    runs = {"plain": [], "reweight": [], "resample": []}
    for seed in range(size["seeds"]):
        torch.manual_seed(seed)
        _, seconds, _ = plain = _timed(device, lambda: net().fit(X, y))
        runs["plain"].append((seconds, float(np.mean(plain[0].predict(X_test) == y_test))))
        for mode in ("reweight", "resample"):
            model, seconds, _ = _timed(
                device,
                lambda mode=mode, seed=seed: Learn2MixClassifier(
                    net(), mixing_mode=mode, steps_per_round=1, random_state=seed
                ).fit(X, y),
            )
            runs[mode].append((seconds, float(np.mean(model.predict(X_test) == y_test))))
    for mode, values in runs.items():
        seconds, accuracy = np.array(values).T
        rows[f"{mode}_s"] = float(seconds.mean())
        rows[f"{mode}_accuracy"] = float(accuracy.mean())
        if mode != "plain":
            rows[f"{mode}_time_ratio"] = float(seconds.mean() / rows["plain_s"])
            rows[f"{mode}_accuracy_gain"] = float(np.mean(accuracy - np.array(runs["plain"])[:, 1]))
    return rows


def other_gpu_builds(device: str) -> dict:
    """A short fit of LightGBM and CatBoost on the device, or why the wheel cannot."""
    from sklearn.datasets import make_classification

    from sklearn_l2m import Learn2MixClassifier

    X, y = make_classification(2000, 10, n_classes=3, n_informative=5, random_state=0)
    out = {}
    makers = {
        "lightgbm": lambda lib: lib.LGBMClassifier(
            n_estimators=20, verbose=-1, device_type="cuda" if device == "cuda" else "cpu"
        ),
        "catboost": lambda lib: lib.CatBoostClassifier(
            iterations=20, verbose=0, allow_writing_files=False,
            task_type="GPU" if device == "cuda" else "CPU",
        ),
    }  # fmt: skip
    for name, make in makers.items():
        try:
            lib = __import__(name)
        except ImportError:
            out[name] = "not installed"
            continue
        try:
            Learn2MixClassifier(make(lib), random_state=0).fit(X, y)
            out[name] = f"ran on {device}"
        except Exception as exc:  # the wheel's own refusal, reported as it is
            first = (
                str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
            )
            out[name] = f"not supported by the installed wheel: {first}"
    return out


def _fmt(value, digits=2):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(result: dict) -> str:
    head, xgb, net, other = result["header"], result["xgboost"], result["skorch"], result["other"]
    lines = [
        "`python -m benchmarks gpu` (each Learn2Mix fit beside the plain fit of the same inner "
        "model on the same device, in one run).",
        "",
        "Device: " + ", ".join(f"{k} {v}" for k, v in head.items()),
        "",
        "| inner model | data | plain | learn2mix | time ratio | device-memory ratio |",
        "|---|---|---|---|---|---|",
        f"| XGBoost, {xgb['trees']} trees, {xgb['rounds']} rounds "
        f"| synthetic {xgb['rows']:,} x {xgb['features']} "
        f"| {_fmt(xgb['plain_s'])} s, {_fmt(xgb['plain_device_mb'], 0)} MB "
        f"| {_fmt(xgb['learn2mix_s'])} s, {_fmt(xgb['learn2mix_device_mb'], 0)} MB "
        f"| {_fmt(xgb['time_ratio'])} | {_fmt(xgb['memory_ratio'])} |",
    ]
    for mode in ("reweight", "resample"):
        lines.append(
            f"| skorch MLP, `{mode}`, {net['epochs']} epochs, {net['seeds']} seeds "
            f"| {net['data']} {net['rows']:,} rows "
            f"| {_fmt(net['plain_s'])} s, accuracy {_fmt(net['plain_accuracy'], 4)} "
            f"| {_fmt(net[f'{mode}_s'])} s, accuracy {_fmt(net[f'{mode}_accuracy'], 4)} "
            f"| {_fmt(net[f'{mode}_time_ratio'])} | n/a |"
        )
    lines += [
        "",
        f"* XGBoost's mixture moved by up to {_fmt(xgb['mixture_moved'], 3)} from the natural one; "
        f"per round the library brings {xgb['bytes_to_host_per_round'] / 1e6:.2f} MB of held-out "
        f"margins to the host and sends {xgb['bytes_to_device_per_round'] / 1e6:.2f} MB of weights "
        "to the device (sizes of the arrays it reads and writes).",
        *(f"* {name}: {status}" for name, status in other.items()),
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    parser = suite_parser(__doc__, OUT_OPTION)  # --out: also write gpu.json there
    parser.add_argument("--device", choices=sorted(SIZES), default="cuda")
    parser.add_argument(
        "--no-write", action="store_true", help="do not write RESULTS.md (GPU runs write it)"
    )
    args = parser.parse_args(argv)
    device, size = args.device, SIZES[args.device]
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise SystemExit(
                "No CUDA device is visible to torch: run on a GPU machine, or use "
                "--device cpu for the dry run."
            )
    result = {"header": header(device)}
    print("\n".join(f"{k}: {v}" for k, v in result["header"].items()), flush=True)
    for name, step in (("xgboost", xgboost_pair), ("skorch", skorch_pairs)):
        began = time.perf_counter()
        result[name] = step(device, size)
        print(f"[{name}] done in {time.perf_counter() - began:.0f} s", flush=True)
    result["other"] = other_gpu_builds(device)
    text = markdown(result)
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "gpu.json").write_text(json.dumps(result, indent=2, default=str))
        (args.out / "gpu.md").write_text(text)
    if device == "cuda" and not args.no_write:
        write_section(RESULTS, "overhead-gpu", "GPU", text)
    return result


if __name__ == "__main__":
    main()
