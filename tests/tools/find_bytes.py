#!/usr/bin/env python3
"""find_bytes.py NEEDLE_FILE FILE...: prints "<count> <file>" for every FILE, where count is how
many times the exact bytes of NEEDLE_FILE occur in it (overlapping matches counted). Exit 0, or 2
when the needle is empty or a file cannot be read. Used by tests/integration/secrets.bats to look
for raw secret bytes in the store's files."""
import sys


def count(haystack: bytes, needle: bytes) -> int:
    n, start = 0, 0
    while True:
        i = haystack.find(needle, start)
        if i < 0:
            return n
        n += 1
        start = i + 1


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: find_bytes.py NEEDLE_FILE FILE...", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        needle = f.read()
    if not needle:
        print("Error: empty needle", file=sys.stderr)
        return 2
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"Error: {path}: {e}", file=sys.stderr)
            return 2
        print(f"{count(data, needle)} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
