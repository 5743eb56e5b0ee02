#!/usr/bin/env python3
"""Host reference of the firmware's MD5 workload (target/lib/md5.h: md5_chain):
d1 = MD5(text), d(k) = MD5(d(k-1) as 16 raw bytes), prints d(n) in hex."""
import hashlib
import sys


def md5_chain(text: bytes, n: int) -> str:
    d = hashlib.md5(text).digest()
    for _ in range(max(n, 1) - 1):
        d = hashlib.md5(d).digest()
    return d.hex()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: md5chain.py N TEXT")
    print(md5_chain(sys.argv[2].encode(), int(sys.argv[1])))
