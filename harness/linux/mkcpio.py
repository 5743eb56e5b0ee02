#!/usr/bin/env python3
"""Writes a reproducible initramfs: cpio "newc" archive of a staging directory, gzip'ed.

Usage: mkcpio.py STAGING OUT.cpio.gz [--dev PATH:c|b:MAJOR:MINOR:MODE]...

Written in Python rather than with GNU cpio so that device nodes (/dev/console, needed
before /init mounts devtmpfs) go in without root and without mknod, and so that the
archive is byte-for-byte reproducible: sorted names, owner 0:0, mtime SOURCE_DATE_EPOCH
(default 0), inode numbers by order, gzip header without name or time.
"""
import gzip
import os
import stat
import sys


def entry(name, mode, data=b"", nlink=1, rdev=(0, 0), ino=0, mtime=0):
    nameb = name.encode() + b"\0"
    hdr = "070701" + "".join("%08x" % v for v in (
        ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rdev[0], rdev[1], len(nameb), 0))
    out = hdr.encode() + nameb
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    src, dst = argv[1], argv[2]
    devs = []
    rest = argv[3:]
    while rest:
        if rest[0] != "--dev" or len(rest) < 2:
            sys.exit(__doc__)
        path, kind, major, minor, mode = rest[1].split(":")
        devs.append((path.lstrip("/"), kind, int(major), int(minor), int(mode, 8)))
        rest = rest[2:]
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))

    items = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for n in sorted(dirs) + sorted(files):
            full = os.path.join(root, n)
            items.append((os.path.relpath(full, src), full))
    items.sort()
    blob = bytearray()
    ino = 1
    for rel, full in items:
        st = os.lstat(full)
        if stat.S_ISLNK(st.st_mode):
            blob += entry(rel, stat.S_IFLNK | 0o777, os.readlink(full).encode(), ino=ino, mtime=mtime)
        elif stat.S_ISDIR(st.st_mode):
            blob += entry(rel, stat.S_IFDIR | 0o755, nlink=2, ino=ino, mtime=mtime)
        elif stat.S_ISREG(st.st_mode):
            perm = 0o755 if st.st_mode & 0o111 else 0o644
            with open(full, "rb") as f:
                blob += entry(rel, stat.S_IFREG | perm, f.read(), ino=ino, mtime=mtime)
        else:
            sys.exit("mkcpio: unsupported file type: " + full)
        ino += 1
    for path, kind, major, minor, mode in devs:
        ftype = stat.S_IFCHR if kind == "c" else stat.S_IFBLK
        blob += entry(path, ftype | mode, rdev=(major, minor), ino=ino, mtime=mtime)
        ino += 1
    blob += entry("TRAILER!!!", 0, nlink=1)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(blob)
    os.replace(tmp, dst)
    print("mkcpio: %d entries, %d bytes cpio, %d bytes gz" % (ino, len(blob), os.path.getsize(dst)))


if __name__ == "__main__":
    main(sys.argv)
