#!/usr/bin/env python3
"""Random `check` questions for `tenant-attach batch` (BENCHMARKS.md's batch row).

Usage: scripts/batch-questions.py SNAPSHOT COUNT [SEED] > questions.jsonl

Each line asks one (user, device, feature): a UPN, a resource id and a feature, drawn
uniformly (seeded, so the file is the same every time) from the snapshot's users, devices and
the features of the rulebook.
"""
import json
import random
import sys

FEATURES = [
    "view", "sync_machine_policy", "sync_user_policy", "app_evaluation_cycle",
    "client_details", "collections_view", "resource_explorer", "timeline",
    "scripts_view", "run_script", "cmpivot", "applications_view",
    "application_actions", "software_updates", "bitlocker_keys", "enroll_now",
]


def main() -> None:
    path, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    with open(path, encoding="utf-8") as f:
        snap = json.load(f)
    upns = [u["upn"] for u in snap["entra"]["users"]]
    rids = [d["resource_id"] for d in snap["devices"]]
    out = sys.stdout
    for _ in range(count):
        q = {"user": rng.choice(upns), "device": str(rng.choice(rids)), "feature": rng.choice(FEATURES)}
        out.write(json.dumps({"check": q}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
