#!/usr/bin/env python3
"""Prints a markdown table from criterion's saved estimates (target/criterion), for BENCHMARKS.md.

Usage: scripts/bench-table.py [GROUP_FILTER]
"""
import json, os, sys

root = os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
flt = sys.argv[1] if len(sys.argv) > 1 else ""

def fmt(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"

rows = []
for dirpath, dirnames, filenames in os.walk(root):
    if os.path.basename(dirpath) == "new" and "estimates.json" in filenames:
        bench = os.path.relpath(os.path.dirname(dirpath), root)
        if flt not in bench:
            continue
        est = json.load(open(os.path.join(dirpath, "estimates.json")))
        med = est["median"]
        rows.append((bench, med["point_estimate"], med["confidence_interval"]["lower_bound"], med["confidence_interval"]["upper_bound"]))
for bench, m, lo, hi in sorted(rows):
    print(f"| {bench} | {fmt(m)} | [{fmt(lo)}, {fmt(hi)}] |")
